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
  if (r.kind === 'unavailable') return { code: null, output: '', error: containerUnavailable(p.container, r.status) };
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
    // curl's own message is English: the student reads what its exit code means.
    return { code: null, output: '', error: httpFailure(p.url, p.timeoutSeconds, r.exitCode) };
  }
  return { code: status, output: r.output.slice(0, at) };
}

/** Why a probe could not run in a container, from the engine's status (its message is English). */
export function containerUnavailable(container: string, status: number | undefined): string {
  if (status === 404) return `le conteneur « ${container} » n'existe pas`;
  if (status === 409) return `le conteneur « ${container} » n'est pas en marche`;
  return `le conteneur « ${container} » n'a pas pu être interrogé`;
}

/** Why an HTTP probe got no answer, from curl's exit code (man curl, "EXIT CODES"). */
export function httpFailure(url: string, timeoutSeconds: number, curlExit: number | null): string {
  const where = hostOf(url);
  switch (curlExit) {
    case 6:
      return `l'adresse « ${where} » est introuvable`;
    case 7:
      return `connexion refusée : rien n'écoute sur ${where}`;
    case 28:
      return `pas de réponse de ${where} après ${timeoutSeconds} s`;
    case 52:
      return `${where} a fermé la connexion sans répondre`;
    case 56:
      return `la connexion à ${where} a été coupée pendant la réponse`;
    case 35:
    case 60:
      return `la connexion chiffrée (HTTPS) à ${where} a échoué`;
    default:
      return `la requête HTTP vers ${where} a échoué (code d'erreur de curl ${curlExit ?? 'inconnu'})`;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
