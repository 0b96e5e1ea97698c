import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';
import { validateEnvOrExit } from './bootstrap';

async function main(): Promise<void> {
  validateEnvOrExit();
  // An application context, not an HTTP app: workers scale out on hosts that serve no traffic.
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
}

void main();
