import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { stopWithSupervisor, validateEnvOrExit } from './bootstrap';
import { configureApp } from './common/app.setup';
import { HttpDrain } from './common/http-drain';
import type { Env } from './config/env';
import { preflight, startupFailureLine } from './startup/preflight';

async function serve(env: Env): Promise<void> {
  // An unmigrated database or a service down: one line naming the fix, before Nest logs a stack.
  await preflight(env, 'api');
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  configureApp(app, env);
  // Not app.enableShutdownHooks(): Nest would close the pools while requests are in progress.
  const http = new HttpDrain(app.getHttpServer());
  const logger = app.get(Logger);
  const stop = async (): Promise<void> => {
    const { cut } = await http.drain(env.API_SHUTDOWN_GRACE_SECONDS * 1000);
    if (cut > 0) logger.warn(`shutdown: ${cut} requests still running after the grace period were cut`);
    await app.close();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.once(sig, () =>
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(error, 'shutdown failed');
          process.exit(1);
        },
      ),
    );
  await app.listen(env.PORT);
}

/**
 * API_WORKERS > 1: one primary forks that many api processes sharing the port (node:cluster), so
 * one host's cores all serve requests. Every api process is stateless towards the others (auth
 * cache per process, rate limits and queue in Redis, start-up sync idempotent), exactly as several
 * api containers behind a load balancer. The primary serves nothing: it restarts a process that
 * died and forwards SIGTERM/SIGINT for a graceful shutdown.
 */
function supervise(workers: number): void {
  let stopping = false;
  const fork = (): void => void cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`api process ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    // A process that fails at start (bad database URL) would otherwise be restarted in a tight loop.
    setTimeout(fork, 1000);
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      stopping = true;
      const live = Object.values(cluster.workers ?? {});
      if (live.length === 0) process.exit(0);
      for (const w of live) w?.process.kill(sig);
    });
  }
}

const env = validateEnvOrExit();
if (cluster.isPrimary) stopWithSupervisor();
if (env.API_WORKERS > 1 && cluster.isPrimary) supervise(env.API_WORKERS);
else
  serve(env).catch((error: unknown) => {
    process.stderr.write(`${startupFailureLine('api', error)}\n`);
    process.exit(1);
  });
