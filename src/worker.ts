import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';
import { holdStopSignals, stopWithSupervisor, validateEnvOrExit } from './bootstrap';
import { preflight, startupFailureLine } from './startup/preflight';

const stopsDuringStart = holdStopSignals();

async function main(): Promise<void> {
  const env = validateEnvOrExit();
  stopWithSupervisor();
  await preflight(env, 'worker');
  // An application context, not an HTTP app: workers scale out on hosts that serve no traffic.
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  stopsDuringStart.release();
}

main().catch((error: unknown) => {
  if (stopsDuringStart.held()) {
    // Stopped while starting: what the start had begun is undone (SandboxLifecycle); not a failure.
    process.stderr.write('worker stopped while starting\n');
    process.exit(0);
  }
  // A worker that cannot start (engine refused, images missing…) says why in one line, no stack.
  process.stderr.write(`${startupFailureLine('worker', error)}\n`);
  process.exit(1);
});
