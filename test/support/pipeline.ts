import { ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import Docker from 'dockerode';
import { loadEnv } from '../../src/config/env';
import type { PrismaService } from '../../src/database/prisma.service';
import { sandboxPaths } from '../../src/sandbox/sandbox-container';
import { SandboxLabels } from '../../src/sandbox/sandbox.labels';
import { eventually, freePort, startBuilt, waitForExit } from './processes';

export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent event stream until it ends (the server closes it after graded or error). */
export async function readEvents(url: string, token: string, timeoutMs = 170_000): Promise<SseEvent[]> {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200 || !res.body) throw new Error(`event stream answered ${res.status}`);
  const events: SseEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  return events;
}

/** Polls PostgreSQL until the submission reaches one of `statuses`. */
export async function waitForStatus(prisma: PrismaService, id: string, statuses: string[], timeoutMs = 170_000) {
  return eventually(
    async () => {
      const s = await prisma.submission.findUniqueOrThrow({ where: { id }, include: { results: true } });
      if (!statuses.includes(s.status))
        throw new Error(`submission ${id} is ${s.status}, waiting for ${statuses.join('|')}`);
      return s;
    },
    timeoutMs,
    250,
  );
}

/** A worker process (dist/worker.js) on this run's database and the given Redis prefix. */
export function startWorker(env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  return startBuilt('worker', { LOG_LEVEL: 'info', ...env });
}

export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 90_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await waitForExit(child, timeoutMs).catch(() => child.kill('SIGKILL'));
}

/** Sandboxes (their ids, from the host containers' labels) owned by one process (`<host>:<pid>`). */
export async function sandboxesOwnedBy(pid: number): Promise<string[]> {
  const docker = new Docker(); // DOCKER_HOST, the engine the workers use
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${SandboxLabels.owner}=${hostname()}:${pid}`] },
  });
  return list.map((c) => c.Labels[SandboxLabels.sandbox]);
}

/** A sandbox's host directory, as the worker processes of the tests place it. */
export function sandboxDir(id: string): string {
  return sandboxPaths(loadEnv({ ...process.env }).SANDBOX_ROOT, id).dir;
}

/** A private redis-server on a free port, without persistence: restarting it loses every key. */
export class DisposableRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const r = new DisposableRedis(await freePort());
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
    if (!this.child) return;
    const child = this.child;
    this.child = undefined;
    child.kill('SIGKILL');
    await waitForExit(child, 10_000);
  }
}
