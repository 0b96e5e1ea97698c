import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadImageCatalog, repositoryManifestPath, type ImageCatalog } from '../../src/sandbox/image-catalog';
import { eventually, freePort, waitForExit } from './processes';

/**
 * Private PostgreSQL and Redis for the fault suite, which stops and restarts them: the shared
 * instances (5432, 6379) serve other test runs on this machine and are never touched. Each lives
 * in a temporary directory on a free port, and `stop()`/`start()` can be called as often as a
 * fault needs; `destroy()` ends the process and removes every file (callers do it in `finally`).
 */

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL binary as the `postgres` user when we are root (initdb and postgres refuse root). */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'dg-faults-pg-'));
    chmodSync(dir, 0o700);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const pg = new PrivatePostgres(dir, await freePort());
    try {
      const [cmd, args] = asPostgres(`${PG_BIN}/initdb`, [
        '-D',
        join(dir, 'data'),
        '-U',
        'postgres',
        '-A',
        'trust',
        '--no-sync',
      ]);
      execFileSync(cmd, args, { stdio: 'pipe' });
      await pg.start();
    } catch (err) {
      pg.destroy();
      throw err;
    }
    return pg;
  }

  /** Connection URL of `database` on this server. */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const [cmd, args] = asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      '-w',
      'start',
    ]);
    execFileSync(cmd, args, { stdio: 'pipe' });
    await eventually(async () => {
      const c = new Client({ connectionString: this.url() });
      await c.connect();
      await c.end();
    }, 20_000);
  }

  /** Fast shutdown: open connections are cut, as when the database host goes away. */
  stop(): void {
    const [cmd, args] = asPostgres(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    try {
      execFileSync(cmd, args, { stdio: 'pipe' });
    } catch {
      // already stopped
    }
  }

  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private redis-server without persistence: a stop loses every key, the harshest restart. */
export class PrivateRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  static async create(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await eventually(async () => {
      const { Redis } = await import('ioredis');
      const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await c.connect();
        await c.ping();
      } finally {
        c.disconnect();
      }
    }, 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await waitForExit(child, 10_000);
  }

  async destroy(): Promise<void> {
    await this.stop();
  }
}

/**
 * A second Docker engine of our own, for the tests that run workers on two engines (the fault
 * suite, which also restarts it; test/e2e/two-engines): its own data root, exec root, pid file,
 * socket, config file (not /etc/docker/daemon.json) and bridge — a bridge made for it, never
 * `--bridge=none` (which deletes the shared docker0) — with iptables and IP forwarding left alone,
 * and user namespaces as the shared engine has them. Its images come from the shared engine
 * (`loadCatalogImages`). `destroy()` stops it, removes the bridge, unmounts what it left mounted
 * and deletes its directory.
 */
export class PrivateDockerd {
  private child?: ChildProcess;
  private constructor(
    readonly dir: string,
    readonly bridge: string,
    readonly subnet: string,
  ) {}

  get socket(): string {
    return join(this.dir, 'docker.sock');
  }

  /** DOCKER_HOST of this engine. */
  get host(): string {
    return `unix://${this.socket}`;
  }

  static async create(): Promise<PrivateDockerd> {
    // Not under /tmp's tmpfs if any: overlay2 needs a real filesystem under its data root. A short
    // name: the sandbox root under it must stay within SANDBOX_ROOT_MAX_LENGTH (Unix socket paths).
    const dir = mkdtempSync(join('/var/tmp', 'dge-'));
    chmodSync(dir, 0o711); // the remapped root (165536) must traverse it to reach its data root
    const n = 200 + Math.floor(Math.random() * 50);
    const engine = new PrivateDockerd(dir, `dgf${randomHex(4)}`, `10.${n}.${Math.floor(Math.random() * 250)}.1/24`);
    try {
      execFileSync('ip', ['link', 'add', 'name', engine.bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', engine.subnet, 'dev', engine.bridge]);
      execFileSync('ip', ['link', 'set', engine.bridge, 'up']);
      writeFileSync(join(dir, 'daemon.json'), '{}\n');
      await engine.start();
    } catch (err) {
      await engine.destroy();
      throw err;
    }
    return engine;
  }

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    this.child = spawn(
      'dockerd',
      [
        '--config-file',
        join(this.dir, 'daemon.json'),
        '--data-root',
        join(this.dir, 'data'),
        '--exec-root',
        join(this.dir, 'exec'),
        '--pidfile',
        join(this.dir, 'docker.pid'),
        '-H',
        this.host,
        `--bridge=${this.bridge}`,
        '--iptables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--userns-remap=default',
        '--storage-driver=overlay2',
      ],
      { stdio: ['ignore', log, log] },
    );
    await eventually(() => this.docker(['info', '--format', '{{.ServerVersion}}']), 60_000, 500);
  }

  /** Runs the docker client against this engine. */
  async docker(args: string[]): Promise<string> {
    return execFileSync('docker', ['-H', this.host, ...args], { stdio: 'pipe' }).toString();
  }

  /**
   * Gives this engine what a worker needs on it, copied from the shared engine (read-only there):
   * the sandbox image and the course images under the names the golden store exports
   * (hello-world:latest …), in one `docker save` so that shared layers travel once. The worker
   * then prepares its own golden store on this engine, as on a new host. Measured on the 2-core
   * machine: ~10 s for the sandbox image, ~11 s for the course images, under load up to twice.
   */
  loadCatalogImages(catalog: ImageCatalog = loadImageCatalog(repositoryManifestPath)): void {
    const names = [catalog.sandbox.tag, ...catalog.course.flatMap((i) => i.tags)];
    execFileSync('bash', ['-o', 'pipefail', '-c', `docker save ${names.join(' ')} | docker -H ${this.host} load -q`], {
      stdio: 'pipe',
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  /** A SANDBOX_ROOT for the workers of this engine (created; removed with the engine). */
  sandboxRoot(): string {
    const dir = join(this.dir, 'sandboxes');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o711); // the remapped root traverses it to the sandboxes' directories
    return dir;
  }

  /** Stops the engine (SIGTERM: containers are stopped, as at a host's restart). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await waitForExit(child, 60_000).catch(async () => {
      child.kill('SIGKILL');
      await waitForExit(child, 10_000);
    });
  }

  async destroy(): Promise<void> {
    if (this.child) {
      // Leave no container of ours running behind the engine's back.
      await this.docker(['ps', '-aq'])
        .then((ids) => ids.trim() && this.docker(['rm', '-f', '-v', ...ids.trim().split('\n')]))
        .catch(() => undefined);
    }
    await this.stop();
    // Mounts the engine or its sandboxes left under our directory (overlay, shm, netns), deepest first.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m?.startsWith(this.dir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    spawnSync('ip', ['link', 'del', this.bridge]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function randomHex(n: number): string {
  return Math.random()
    .toString(16)
    .slice(2, 2 + n)
    .padEnd(n, '0');
}
