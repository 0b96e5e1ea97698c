import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';
import { validateEnvOrExit } from './bootstrap';

async function main(): Promise<void> {
  validateEnvOrExit();
  // An application context, not an HTTP app: workers scale out on hosts that serve no traffic.
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  // A worker that cannot start (engine refused, images missing…) says why in one line, no stack.
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  process.stderr.write(`dockgrader worker: cannot start: ${message}${cause}\n`);
  process.exit(1);
});
