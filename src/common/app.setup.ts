import { Logger } from '@nestjs/common';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Env } from '../config/env';
import { resolve } from 'node:path';
import { send } from './http-exception.filter';
import { MetricsService } from '../metrics/metrics.service';
import { httpMetrics } from '../operations/http-metrics.middleware';
import { mountQueueDashboard } from '../operations/queue-dashboard';

/**
 * HTTP concerns of the api role that live outside Nest's module graph: security headers, the JSON
 * body parser with its size limit, and the OpenAPI document. Shared by main.ts and the e2e tests.
 * The app must be created with `bodyParser: false`.
 */
export function configureApp(app: NestExpressApplication, env: Env): void {
  app.use(httpMetrics(app.get(MetricsService)));
  // Behind a proxy that says so: req.secure (Secure cookies) and req.ip (login throttling) from its headers.
  app.set('trust proxy', env.TRUST_PROXY);
  // helmet's default CSP: scripts and styles from this origin only, no inline script.
  app.use(helmet());
  // Nest's types hide `verify` (its `rawBody: true` option would keep every request's bytes); the
  // app has rawBody off, so Nest passes ours through untouched.
  app.useBodyParser('json', {
    limit: env.API_BODY_LIMIT_BYTES,
    verify: keepRawBodyOfSignedRoutes,
  } as NestExpressBodyParserOptionsFor<'json'>);
  // Course rosters (PUT /api/courses/{code}/roster) are sent as CSV text.
  app.useBodyParser('text', { type: 'text/csv', limit: env.API_BODY_LIMIT_BYTES });
  // The pages' forms (login, logout, invitation); the submission form is multipart (WebModule).
  app.useBodyParser('urlencoded', { extended: false, limit: env.API_BODY_LIMIT_BYTES });
  app.useStaticAssets(publicDir(), { prefix: '/assets/', maxAge: '1h', index: false });
  // Body parser errors happen before routing, outside Nest's filters: map them the same way.
  const logger = new Logger('HttpBody');
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => (err ? send(res, err, logger) : next()));
  const config = new DocumentBuilder()
    .setTitle('dockgrader')
    .setDescription('Automated grading of hands-on Docker exercises: submissions, live progress, results.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  mountQueueDashboard(app);
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}

/** The pages' static files (CSS, the client script): public/ at the repository root, from src/ and dist/ alike. */
export function publicDir(): string {
  return resolve(__dirname, '../../public');
}

/** A request whose raw bytes were kept: signatures are verified on them, not on re-serialized JSON. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

/** Only the signed LMS routes keep their bytes; every other request pays nothing. */
function keepRawBodyOfSignedRoutes(req: RawBodyRequest, _res: unknown, buf: Buffer): void {
  if (req.url?.startsWith('/api/lms/')) req.rawBody = buf;
}
