import { EnvError, loadEnv, type Env } from './config/env';

/**
 * Validates the environment before Nest starts, so a bad variable stops the process with one
 * message naming it instead of a stack trace from deep inside a driver.
 */
export function validateEnvOrExit(): Env {
  try {
    return loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/**
 * Under `npm start` each process is a child of the supervisor with an IPC channel: when the
 * supervisor dies without stopping it (SIGKILL, a crash), the channel closes and the process shuts
 * down gracefully as on SIGTERM instead of running on, orphaned, holding sandboxes.
 */
export function stopWithSupervisor(): void {
  if (!process.send) return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/** The signals an operator or the supervisor stops a process with. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Holds a stop signal that arrives while the process starts, before Nest's shutdown hooks are
 * installed: Node's default action would end the process at once, with sandboxes being created
 * (found by the fault suite: a worker stopped seconds after its start left one running).
 * `release()` stops holding and raises again the signal held, if any, for the hooks installed
 * since; `held` says whether one arrived (a start that failed because of it is a stop, not a failure).
 */
export function holdStopSignals(): { release: () => void; held: () => boolean } {
  let received: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => (received ??= signal);
  for (const signal of STOP_SIGNALS) process.on(signal, hold);
  return {
    held: () => received !== undefined,
    release: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, hold);
      if (received) process.kill(process.pid, received);
    },
  };
}
