import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { validateEnvOrExit } from './bootstrap';
import { configureApp } from './common/app.setup';

async function main(): Promise<void> {
  const env = validateEnvOrExit();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  configureApp(app, env);
  app.enableShutdownHooks();
  await app.listen(env.PORT);
}

void main();
