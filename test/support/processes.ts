import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';

export const root = resolve(__dirname, '../..');

/** A TCP port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

/**
 * The node flags an entrypoint runs with, read from its npm start script (`start:api`,
 * `start:worker`), so tests and benchmarks start it as operators do (the api's GC setting).
 */
export function nodeFlagsOf(entry: 'main' | 'worker'): string[] {
  const scripts = (
    JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const words = scripts[entry === 'main' ? 'start:api' : 'start:worker'].split(/\s+/);
  return words.slice(1, words.indexOf(`dist/${entry}.js`));
}

/** Starts a built entrypoint (dist/main.js, dist/worker.js) as its own process, as operators do. */
/**
 * Every process a test started and has not seen exit: killed when the test process exits, even
 * when a failing test never reached its own stop (jest's --forceExit included), so no api or
 * worker outlives its test run.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startBuilt(entry: 'main' | 'worker', env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const file = resolve(root, 'dist', `${entry}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm test does)`);
  const child = spawn(process.execPath, [...nodeFlagsOf(entry), file], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

export async function waitForExit(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('process did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      res(code);
    });
  });
}

/** Polls until `fn` resolves without throwing, or throws the last error after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}
