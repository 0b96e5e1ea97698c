import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { validateEnvOrExit } from '../bootstrap';
import type { Env } from '../config/env';
import { dockerClient } from '../docker/docker.service';
import { sweepAbandonedSandboxes } from '../sandbox/sandbox-reaper';
import { preflight, startupFailureLine } from '../startup/preflight';
import { ensureFirstAdmin } from './first-admin';
import { ProcessSupervisor } from './process-supervisor';
import { defaultWorkerCount } from './worker-count';

/**
 * `npm start`, after scripts/start.sh has provisioned everything: checks, the first admin, then the
 * api and the workers under supervision until SIGINT/SIGTERM.
 */

const root = resolve(__dirname, '../..');
/** Everything stopped within this; the children's own grace periods are capped to fit in it. */
const STOP_DEADLINE_MS = 27_000;
/** Two signals this close together are one Ctrl-C (the terminal and npm both deliver it). */
const SECOND_SIGNAL_MIN_MS = 1000;

function say(line: string): void {
  process.stdout.write(`[dockgrader] ${line}\n`);
}

/** The node flags of an npm start script (`start:api`), so supervised processes run as documented. */
function nodeFlags(script: 'start:api' | 'start:worker', entry: string): string[] {
  const scripts = (
    JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const words = scripts[script].split(/\s+/);
  return words.slice(1, words.indexOf(entry));
}

async function waitForApi(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}health/live`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Removes the sandboxes (containers, networks, directories) of workers that are gone. */
function sweepSandboxes(env: Env): Promise<number> {
  return sweepAbandonedSandboxes(dockerClient(env.DOCKER_HOST), env.SANDBOX_ROOT);
}

async function main(): Promise<number> {
  // Links the service prints (first admin, invitations) point at the port it serves, unless the
  // operator named a public address.
  process.env.PUBLIC_URL ??= `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const env = validateEnvOrExit();
  try {
    await preflight(env, 'all');
  } catch (error) {
    process.stderr.write(`${startupFailureLine('start', error)}\n`);
    return 1;
  }

  const workers =
    env.WORKERS ??
    defaultWorkerCount({
      cores: availableParallelism(),
      memoryMb: totalmem() / 2 ** 20,
      concurrency: env.WORKER_CONCURRENCY,
      sandboxCpus: env.SANDBOX_CPUS,
      sandboxMemoryMb: env.SANDBOX_MEMORY_MB,
    });
  const logDir = resolve(root, env.LOG_DIR);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    // Within the supervisor's deadline: the api drains, workers finish or hand back their jobs,
    // then destroy their sandboxes.
    API_SHUTDOWN_GRACE_SECONDS: String(Math.min(env.API_SHUTDOWN_GRACE_SECONDS, 10)),
    WORKER_SHUTDOWN_GRACE_SECONDS: String(Math.min(env.WORKER_SHUTDOWN_GRACE_SECONDS, 15)),
  };
  const supervisor = new ProcessSupervisor(logDir, {
    started: (name, pid) => say(`${name} started (pid ${pid})`),
    crashed: (name, reason, delay) =>
      say(`${name} exited (${reason}); restarting in ${Math.round(delay / 1000)} s — log: ${supervisor.logFile(name)}`),
  });

  let stopping: Promise<number> | undefined;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      firstSignalAt = Date.now();
      say(`${signal}: stopping (up to ${STOP_DEADLINE_MS / 1000 + 3} s; Ctrl-C again to force)`);
      stopping = supervisor.stop(STOP_DEADLINE_MS).then(async ({ killed }) => {
        if (killed.length) say(`still running at the deadline, killed: ${killed.join(', ')}`);
        const swept = await sweepSandboxes(env).catch(() => 0);
        if (swept) say(`removed ${swept} sandbox(es) left behind`);
        say('stopped');
        return 0;
      });
      void stopping.then((code) => process.exit(code));
      return;
    }
    if (Date.now() - firstSignalAt < SECOND_SIGNAL_MIN_MS) return;
    say('forced stop');
    supervisor.kill();
    void sweepSandboxes(env)
      .catch(() => 0)
      .then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (!env.DOCKGRADER_ADMIN_TOKEN) {
    const access = await ensureFirstAdmin(env);
    if (access.kind === 'created') {
      // On the terminal only: the log files never hold a credential.
      say(`first admin created: ${access.email}`);
      say(`  log in (one-time link, choose a password): ${access.link}`);
      say(`  API token (shown once, only its hash is stored): ${access.token}`);
    }
    say(`another login link: npm run admin -- invite --email ${access.email}`);
    say(`another API token: npm run admin -- create-token --email ${access.email}`);
  }

  supervisor.start({
    name: 'api',
    args: [...nodeFlags('start:api', 'dist/main.js'), resolve(root, 'dist/main.js')],
    env: childEnv,
  });
  for (let i = 1; i <= workers; i++)
    supervisor.start({
      name: `worker-${i}`,
      args: [...nodeFlags('start:worker', 'dist/worker.js'), resolve(root, 'dist/worker.js')],
      env: childEnv,
    });

  const url = `http://127.0.0.1:${env.PORT}/`;
  if (await waitForApi(url, 60_000)) {
    say(`ready: open ${url} (health ${url}health/ready, metrics ${url}metrics, API docs ${url}docs)`);
  } else if (!stopping) {
    say(`the api does not answer on ${url} yet: see ${supervisor.logFile('api')}`);
  }
  say(`${workers} worker(s); logs in ${logDir}/ (api.log, worker-N.log); Ctrl-C stops everything`);
  return new Promise<number>(() => undefined); // runs until a signal
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${startupFailureLine('start', error)}\n`);
    process.exit(1);
  },
);
