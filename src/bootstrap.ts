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
