import type { Sandbox } from '../sandbox/sandbox.types';
import { probeKey, type ProbeOutcome } from './check.evaluator';
import type { Assertion } from '../exercises/exercise.schema';

type ProbeAssertion = Extract<Assertion, { probe: unknown }>;
type HttpAssertion = Extract<Assertion, { http: unknown }>;

/** Output kept from a probe: checks look at short answers (`"42"`, a page title). */
const MAX_PROBE_OUTPUT = 64 * 1024;

/**
 * Runs the probes of an exercise at the end of the replay, before the sandbox is destroyed:
 * commands inside a container of the inner engine (dockerode exec), and HTTP requests made with
 * curl from inside the sandbox (where published ports are reachable on localhost).
 */
export async function runProbes(
  sandbox: Sandbox,
  probes: Array<ProbeAssertion | HttpAssertion>,
): Promise<Map<string, ProbeOutcome>> {
  // Probes only read (a page, a value): independent, so they run together and the slowest sets the time.
  const unique = new Map(probes.map((p) => [probeKey(p), p]));
  const outcomes = await Promise.all(
    [...unique.values()].map((p) =>
      'probe' in p ? runContainerProbe(sandbox, p.probe) : runHttpProbe(sandbox, p.http),
    ),
  );
  return new Map([...unique.keys()].map((key, i) => [key, outcomes[i]]));
}

async function runContainerProbe(sandbox: Sandbox, p: ProbeAssertion['probe']): Promise<ProbeOutcome> {
  const r = await sandbox.engine.execInContainer(p.container, p.command, {
    timeoutMs: p.timeoutSeconds * 1000,
    maxOutputBytes: MAX_PROBE_OUTPUT,
  });
  if (r.kind === 'unavailable') return { code: null, output: '', error: r.message };
  if (r.kind === 'timeout')
    return { code: null, output: r.output, error: `pas de réponse après ${p.timeoutSeconds} s` };
  return { code: r.code, output: r.output };
}

const STATUS_MARK = '\n__dockgrader_http_status:';

async function runHttpProbe(sandbox: Sandbox, p: HttpAssertion['http']): Promise<ProbeOutcome> {
  const url = `'${p.url.replace(/'/g, `'\\''`)}'`;
  const r = await sandbox.exec(
    `curl -sS --max-time ${p.timeoutSeconds} -w '${STATUS_MARK.replace('\n', '\\n')}%{http_code}' ${url}`,
    {
      timeoutMs: (p.timeoutSeconds + 5) * 1000,
      maxOutputBytes: MAX_PROBE_OUTPUT + 1024,
    },
  );
  const at = r.output.lastIndexOf(STATUS_MARK);
  const status = at >= 0 ? Number(r.output.slice(at + STATUS_MARK.length).trim()) : NaN;
  if (r.exitCode !== 0 || !Number.isFinite(status) || status === 0) {
    return {
      code: null,
      output: '',
      error: (at >= 0 ? r.output.slice(0, at) : r.output).trim() || `curl exit code ${r.exitCode}`,
    };
  }
  return { code: status, output: r.output.slice(0, at) };
}
