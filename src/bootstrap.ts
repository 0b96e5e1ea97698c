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
