import type { Assertion, CheckDefinition, NumberMatcher, StringMatcher } from '../exercises/exercise.schema';
import type {
  ContainerState,
  EngineEvent,
  EngineSnapshot,
  ImageState,
  ReplayHistory,
  TranscriptEntry,
} from './replay.types';

/**
 * Evaluates an exercise's checks over a recorded replay: pure functions of the history (snapshots
 * after each command, engine events, transcript) and of the probe results taken at the end.
 *
 * Time is the command timeline: for command i, the command itself comes first, then the events
 * seen while it ran (in engine time order), then the snapshot taken after it.
 */

export interface ProbeOutcome {
  /** Exit code of a probe command, or HTTP status of an HTTP probe; null when it could not run. */
  code: number | null;
  /** Probe output, or HTTP response body. */
  output: string;
  /** Why the probe could not run (no such container, timeout …). */
  error?: string;
}

/** Probe results by {@link probeKey}. */
export type ProbeResults = ReadonlyMap<string, ProbeOutcome>;

/** The exercise's checks cannot be evaluated as written: the author's to fix, not the student's, not a retry. */
export class ExerciseEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExerciseEvaluationError';
  }
}

export interface CheckOutcome {
  id: string;
  title: string;
  passed: boolean;
  points: number;
  maxPoints: number;
  /** The check's pass or fail feedback. */
  message: string;
  hidden: boolean;
  /** What was observed, for exercise authors (not shown to students). */
  detail?: string;
}

type ProbeLeaf = Extract<Assertion, { probe: unknown }> | Extract<Assertion, { http: unknown }>;

/** Identifies a probe or HTTP assertion, so identical probes run once. */
export function probeKey(a: ProbeLeaf): string {
  return JSON.stringify(a);
}

/** Every probe and HTTP assertion of the checks, to run before the sandbox is released. */
export function collectProbes(checks: CheckDefinition[]): ProbeLeaf[] {
  const found = new Map<string, ProbeLeaf>();
  const visit = (a: Assertion): void => {
    if ('probe' in a || 'http' in a) found.set(probeKey(a), a);
    else if ('all' in a) a.all.forEach(visit);
    else if ('any' in a) a.any.forEach(visit);
    else if ('not' in a) visit(a.not);
  };
  for (const c of checks) {
    if (c.assert) visit(c.assert);
    c.sequence?.forEach(visit);
  }
  return [...found.values()];
}

/** A point of the timeline: command index, phase (0 command, 1 event, 2 snapshot), engine time. */
interface Pos {
  w: number;
  p: number;
  t: number;
}
const BEFORE_ALL: Pos = { w: -Infinity, p: 0, t: 0 };
const AFTER_ALL: Pos = { w: Infinity, p: 0, t: 0 };

function cmp(a: Pos, b: Pos): number {
  return a.w - b.w || a.p - b.p || a.t - b.t;
}
/**
 * What a transcript `output` matcher reads: all a command printed, as a terminal shows it, since
 * the course's checks look for messages on either stream (`ls` in a container: "No such file" is
 * stderr). stdout then stderr (their interleaving is not kept), a line cut by the switch ended.
 */
export function printedOutput(e: Pick<TranscriptEntry, 'output' | 'stderr'>): string {
  if (!e.stderr) return e.output;
  return e.output === '' || e.output.endsWith('\n') ? e.output + e.stderr : `${e.output}\n${e.stderr}`;
}

const commandPos = (e: TranscriptEntry): Pos => ({ w: e.index, p: 0, t: 0 });
const eventPos = (e: EngineEvent): Pos => ({ w: e.afterCommand, p: 1, t: e.timeNano });
const snapshotPos = (s: EngineSnapshot): Pos => ({ w: s.afterCommand, p: 2, t: 0 });

/** What an assertion is evaluated against: one snapshot, and the events and commands of a window (from, to]. */
interface Moment {
  snapshot: EngineSnapshot;
  from: Pos;
  to: Pos;
}

export interface EvaluationInput {
  /** Its `initial` state is the final state when no command ran. */
  history: ReplayHistory;
  probes: ProbeResults;
}

/**
 * Evaluates every check. No credit for nothing: a check that would also pass had the student done
 * nothing (it holds in the sandbox's initial state: "no container left", "image removed", "never
 * destroyed") or that only looks at the commands typed (`docker ps -a` was run) counts only once
 * work was done: some check about the work itself passed, or the replay changed the engine (any
 * engine event: looking — ps, images, inspect, logs — emits none). Otherwise an empty or
 * look-only submission scores.
 */
export function evaluateChecks(checks: CheckDefinition[], input: EvaluationInput): CheckOutcome[] {
  const outcomes = evaluateEachCheck(checks, input);
  const idle = new Evaluator({
    history: { initial: input.history.initial, transcript: [], snapshots: [], events: [] },
    probes: new Map(),
  });
  const follows = (check: CheckDefinition): boolean => onlyTranscript(check) || idle.check(check).passed;
  const workDone = input.history.events.length > 0 || outcomes.some((o, i) => o.passed && !follows(checks[i]));
  return outcomes.map((o, i) => {
    if (!o.passed || workDone || !follows(checks[i])) return o;
    return {
      ...o,
      passed: false,
      points: 0,
      message: checks[i].feedback.fail,
      detail: "vérifié sans que le travail demandé ait été fait : ne compte qu'avec lui",
    };
  });
}

/** Each check on its own, as its assertion says (no credit-for-nothing rule). */
export function evaluateEachCheck(checks: CheckDefinition[], input: EvaluationInput): CheckOutcome[] {
  const ev = new Evaluator(input);
  return checks.map((check) => {
    const { passed, detail } = ev.check(check);
    return {
      id: check.id,
      title: check.title,
      passed,
      points: passed ? check.points : 0,
      maxPoints: check.points,
      message: passed ? check.feedback.pass : check.feedback.fail,
      hidden: check.hidden,
      detail,
    };
  });
}

/** Every assertion of the check is about the transcript (what was typed), none about the engine's state. */
function onlyTranscript(check: CheckDefinition): boolean {
  const leaves = (a: Assertion): Assertion[] =>
    'all' in a ? a.all.flatMap(leaves) : 'any' in a ? a.any.flatMap(leaves) : 'not' in a ? leaves(a.not) : [a];
  const all = [...(check.assert ? [check.assert] : []), ...(check.sequence ?? [])].flatMap(leaves);
  return all.length > 0 && all.every((a) => 'transcript' in a);
}

class Evaluator {
  private readonly points: EngineSnapshot[];
  private readonly executed: TranscriptEntry[];
  private readonly events: EngineEvent[];

  constructor(private readonly input: EvaluationInput) {
    const { history } = input;
    this.points =
      history.snapshots.length > 0
        ? [...history.snapshots].sort((a, b) => a.afterCommand - b.afterCommand)
        : [history.initial];
    this.executed = history.transcript.filter((e) => !e.refused && !e.skipped);
    this.events = [...history.events].sort((a, b) => cmp(eventPos(a), eventPos(b)));
  }

  check(c: CheckDefinition): { passed: boolean; detail?: string } {
    if (c.sequence) return this.sequence(c.sequence);
    const a = c.assert as Assertion;
    const at = (s: EngineSnapshot, to: Pos): boolean => this.holds(a, { snapshot: s, from: BEFORE_ALL, to });
    switch (c.when) {
      case 'final':
        return { passed: at(this.points[this.points.length - 1], AFTER_ALL), detail: this.probeDetail(a) };
      case 'eventually': {
        const i = this.points.findIndex((s) => at(s, snapshotPos(s)));
        return i >= 0
          ? { passed: true, detail: `vérifié après la commande ${this.points[i].afterCommand + 1}` }
          : { passed: false, detail: 'jamais vérifié' };
      }
      case 'always': {
        const i = this.points.findIndex((s) => !at(s, snapshotPos(s)));
        return i < 0
          ? { passed: true }
          : { passed: false, detail: `non vérifié après la commande ${this.points[i].afterCommand + 1}` };
      }
    }
  }

  /** Steps in order: each satisfied at a point strictly later than the previous step's (earliest match is optimal). */
  private sequence(steps: Assertion[]): { passed: boolean; detail: string } {
    let prev = BEFORE_ALL;
    const at: string[] = [];
    for (const [k, step] of steps.entries()) {
      const pos = this.earliest(step, prev);
      if (!pos)
        return {
          passed: false,
          detail: `étape ${k + 1} sur ${steps.length} jamais observée${at.length ? ` après ${at.join(', ')}` : ''}`,
        };
      at.push(`étape ${k + 1} à la commande ${pos.w + 1}`);
      prev = pos;
    }
    return { passed: true, detail: at.join(', ') };
  }

  private earliest(step: Assertion, after: Pos): Pos | undefined {
    if ('event' in step) {
      const e = this.events.find((x) => cmp(eventPos(x), after) > 0 && this.eventMatches(step.event, x));
      return e && eventPos(e);
    }
    if ('transcript' in step) {
      const e = this.executed.find((x) => cmp(commandPos(x), after) > 0 && this.transcriptMatches(step.transcript, x));
      return e && commandPos(e);
    }
    const s = this.points.find(
      (x) => cmp(snapshotPos(x), after) > 0 && this.holds(step, { snapshot: x, from: after, to: snapshotPos(x) }),
    );
    return s && snapshotPos(s);
  }

  holds(a: Assertion, m: Moment): boolean {
    if ('all' in a) return a.all.every((x) => this.holds(x, m));
    if ('any' in a) return a.any.some((x) => this.holds(x, m));
    if ('not' in a) return !this.holds(a.not, m);
    if ('container' in a) return containerHolds(a.container, m.snapshot.containers);
    if ('image' in a) return imageHolds(a.image, m.snapshot.images);
    if ('volume' in a) {
      const v = a.volume;
      const found = m.snapshot.volumes.some(
        (x) => matchString(v.name, x.name) && (v.driver === undefined || v.driver === x.driver),
      );
      return found === v.present;
    }
    if ('network' in a) {
      const n = a.network;
      const found = m.snapshot.networks.some(
        (x) =>
          matchString(n.name, x.name) &&
          (n.driver === undefined || n.driver === x.driver) &&
          (n.members ?? []).every((c) => x.members.includes(c)),
      );
      return found === n.present;
    }
    if ('event' in a) {
      return this.events.some(
        (e) => cmp(eventPos(e), m.from) > 0 && cmp(eventPos(e), m.to) <= 0 && this.eventMatches(a.event, e),
      );
    }
    if ('transcript' in a) {
      return this.executed.some(
        (e) =>
          cmp(commandPos(e), m.from) > 0 && cmp(commandPos(e), m.to) <= 0 && this.transcriptMatches(a.transcript, e),
      );
    }
    if ('probe' in a) {
      const r = this.input.probes.get(probeKey(a));
      return (
        r !== undefined &&
        !r.error &&
        matchNumber(a.probe.exitCode, r.code ?? undefined) &&
        (a.probe.output === undefined || matchString(a.probe.output, r.output))
      );
    }
    if ('http' in a) {
      const r = this.input.probes.get(probeKey(a));
      return (
        r !== undefined &&
        !r.error &&
        matchNumber(a.http.status, r.code ?? undefined) &&
        (a.http.body === undefined || matchString(a.http.body, r.output))
      );
    }
    return unreachable(a);
  }

  private eventMatches(q: Extract<Assertion, { event: unknown }>['event'], e: EngineEvent): boolean {
    return (
      q.type === e.type &&
      matchAction(q.action, e.action) &&
      (q.name === undefined || matchString(q.name, e.name)) &&
      (q.image === undefined || matchImageRef(q.image, e.image)) &&
      (q.exitCode === undefined || matchNumber(q.exitCode, e.exitCode))
    );
  }

  private transcriptMatches(q: Extract<Assertion, { transcript: unknown }>['transcript'], e: TranscriptEntry): boolean {
    return (
      matchString(q.command, e.text) &&
      (q.exitCode === undefined || matchNumber(q.exitCode, e.exitCode ?? undefined)) &&
      (q.output === undefined || matchString(q.output, printedOutput(e)))
    );
  }

  /** What a failed final probe saw, so authors can tell a wrong answer from a probe that could not run. */
  private probeDetail(a: Assertion): string | undefined {
    if (!('probe' in a) && !('http' in a)) return undefined;
    const r = this.input.probes.get(probeKey(a));
    if (!r) return 'sonde non exécutée';
    if (r.error) return `erreur de la sonde : ${r.error}`;
    return `${'probe' in a ? 'code de sortie' : 'statut HTTP'} ${r.code}, sortie : ${JSON.stringify(r.output.slice(0, 200))}`;
  }
}

type ContainerQuery = Extract<Assertion, { container: unknown }>['container'];

function containerHolds(q: ContainerQuery, containers: ContainerState[]): boolean {
  const candidates = containers.filter((c) => containerMatches(q, c));
  const states = q.state === undefined ? undefined : Array.isArray(q.state) ? q.state : [q.state];
  if (states?.includes('absent') && candidates.length === 0) return true;
  const matching =
    states === undefined ? candidates : candidates.filter((c) => states.includes(c.state as (typeof states)[number]));
  return q.count === undefined ? matching.length > 0 : matchNumber(q.count, matching.length);
}

/** Every field of the query except state and count. */
function containerMatches(q: ContainerQuery, c: ContainerState): boolean {
  if (q.name !== undefined && !matchString(q.name, c.name)) return false;
  if (q.image !== undefined && !matchImageRef(q.image, c.image)) return false;
  if (q.exitCode !== undefined && !matchNumber(q.exitCode, c.exitCode)) return false;
  if (q.env && !matchRecord(q.env, c.env)) return false;
  if (q.labels && !matchRecord(q.labels, c.labels)) return false;
  if (
    q.ports &&
    !q.ports.every((p) =>
      c.ports.some(
        (x) => x.container === p.container && x.protocol === p.protocol && (p.host === undefined || x.host === p.host),
      ),
    )
  ) {
    return false;
  }
  if (
    q.mounts &&
    !q.mounts.every((m) =>
      c.mounts.some(
        (x) =>
          samePath(x.destination, m.destination) &&
          (m.type === undefined || m.type === x.type) &&
          (m.source === undefined || matchString(m.source, x.source)),
      ),
    )
  ) {
    return false;
  }
  if (q.networks && !q.networks.every((n) => c.networks.includes(n))) return false;
  if (q.restartPolicy !== undefined && q.restartPolicy !== c.restartPolicy) return false;
  if (q.memoryBytes !== undefined && !matchNumber(q.memoryBytes, c.memoryBytes)) return false;
  if (q.nanoCpus !== undefined && !matchNumber(q.nanoCpus, c.nanoCpus)) return false;
  return true;
}

type ImageQuery = Extract<Assertion, { image: unknown }>['image'];

function imageHolds(q: ImageQuery, images: ImageState[]): boolean {
  const ref = normalizeRef(q.ref);
  const image = images.find((i) => i.tags.some((t) => normalizeRef(t) === ref));
  if (!q.present) return image === undefined;
  if (!image) return false;
  if (q.cmd && !sameArray(q.cmd, image.cmd)) return false;
  if (q.entrypoint && !sameArray(q.entrypoint, image.entrypoint)) return false;
  if (q.env && !matchRecord(q.env, image.env)) return false;
  if (q.labels && !matchRecord(q.labels, image.labels)) return false;
  if (q.exposedPorts && !q.exposedPorts.every((p) => image.exposedPorts.includes(p.includes('/') ? p : `${p}/tcp`)))
    return false;
  if (q.workdir !== undefined && !samePath(q.workdir, image.workdir)) return false;
  if (q.layers !== undefined && !matchNumber(q.layers, image.layers)) return false;
  return true;
}

export function matchString(m: StringMatcher, value: string | undefined): boolean {
  if (typeof m === 'string') return value === m;
  if ('exists' in m) return (value !== undefined) === m.exists;
  if (value === undefined) return false;
  if ('equals' in m) return value === m.equals;
  if ('contains' in m) return value.includes(m.contains);
  return compiled(m.matches).test(value);
}

export function matchNumber(m: NumberMatcher, value: number | undefined): boolean {
  if (value === undefined) return false;
  if (typeof m === 'number') return value === m;
  return (
    (m.not === undefined || value !== m.not) &&
    (m.min === undefined || value >= m.min) &&
    (m.max === undefined || value <= m.max)
  );
}

/** Exact image references compare normalized (`redis` = `redis:latest` = `docker.io/library/redis:latest`). */
function matchImageRef(m: StringMatcher, value: string | undefined): boolean {
  if (value !== undefined && typeof m === 'string') return normalizeRef(m) === normalizeRef(value);
  if (value !== undefined && typeof m === 'object' && 'equals' in m)
    return normalizeRef(m.equals) === normalizeRef(value);
  return matchString(m, value);
}

/** An exact action also matches the action's verb: `exec_start` matches `exec_start: redis-cli get cle`. */
function matchAction(m: StringMatcher, action: string): boolean {
  const verb = action.split(':')[0].trim();
  return (
    matchString(m, action) ||
    (typeof m === 'string' && m === verb) ||
    (typeof m === 'object' && 'equals' in m && m.equals === verb)
  );
}

function matchRecord(q: Record<string, StringMatcher>, actual: Record<string, string>): boolean {
  return Object.entries(q).every(([k, m]) => matchString(m, Object.hasOwn(actual, k) ? actual[k] : undefined));
}

export function normalizeRef(ref: string): string {
  let r = ref.replace(/^docker\.io\//, '').replace(/^library\//, '');
  if (r.includes('@')) return r;
  const lastSlash = r.lastIndexOf('/');
  if (!r.slice(lastSlash + 1).includes(':')) r += ':latest';
  return r;
}

function sameArray(a: string[], b: string[] | null): boolean {
  return b !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}

function samePath(a: string, b: string): boolean {
  const n = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return n(a) === n(b);
}

function unreachable(a: never): never {
  throw new ExerciseEvaluationError(`unknown assertion ${JSON.stringify(a)}`);
}

/** Regexes are checked when the definition loads; compiled once per process here. */
const REGEXES = new Map<string, RegExp>();
function compiled(source: string): RegExp {
  let re = REGEXES.get(source);
  if (!re) {
    re = new RegExp(source);
    if (REGEXES.size < 10_000) REGEXES.set(source, re);
  }
  return re;
}
