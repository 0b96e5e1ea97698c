import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Logger, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import { ApiModule } from '../../src/api.module';
import { AuthService } from '../../src/auth/auth.service';
import { configureApp } from '../../src/common/app.setup';
import { ENV } from '../../src/config/config.module';
import { Env, loadEnv } from '../../src/config/env';
import { PrismaService } from '../../src/database/prisma.service';
import type { Role } from '../../src/generated/prisma/enums';
import { loggerParams } from '../../src/logging/logging.module';
import type { ExchangeLog, LogCapture } from './secrets';

export interface ApiHarness {
  app: NestExpressApplication;
  env: Env;
  /** Base URL of the listening server, for clients other than supertest (SSE, load). */
  url: string;
  prisma: PrismaService;
  auth: AuthService;
  /** Users made by userWithToken, deleted with their submissions by close(). */
  users: string[];
  close(): Promise<void>;
}

/** A Redis prefix under this run's prefix, so one suite's queue never sees another's jobs. */
export function suitePrefix(name: string): string {
  return `${process.env.REDIS_PREFIX ?? 'dgtest:local'}:${name}:${randomBytes(3).toString('hex')}`;
}

/**
 * What the api logged and answered, for a suite that looks into them (test/support/secrets.ts).
 * pino's logger is one per test file (nestjs-pino keeps the first one made): observe the first api
 * a file starts.
 */
export interface Observed {
  logs: LogCapture;
  exchanges: ExchangeLog;
}

/**
 * The api role in-process, configured exactly as main.ts does, on the run's database. Its logs are
 * off (pino's request lines aside, at LOG_LEVEL) unless `observed` is given: then everything it logs,
 * Nest's logger included as in main.ts, goes to `observed.logs` instead of stdout.
 */
export async function startApi(overrides: NodeJS.ProcessEnv = {}, observed?: Observed): Promise<ApiHarness> {
  const env = loadEnv({ ...process.env, ...overrides });
  let builder = Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(ENV)
    .useValue(env);
  if (observed)
    builder = builder
      .overrideProvider(PARAMS_PROVIDER_TOKEN)
      .useFactory({ factory: () => loggerParams(env, observed.logs.stream) });
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(
    observed ? { bufferLogs: true, bodyParser: false } : { logger: false, bodyParser: false },
  );
  if (observed) {
    app.useLogger(app.get(Logger));
    // First of all middleware, so that no answer escapes it (body parser errors, static files, the dashboard).
    app.use(observed.exchanges.middleware);
  }
  configureApp(app, env);
  // A fixed port when the caller needs the URL before start (PUBLIC_URL in links and redirects).
  await app.listen(overrides.PORT ? env.PORT : 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const prisma = app.get(PrismaService);
  const users: string[] = [];
  return {
    app,
    env,
    url: `http://127.0.0.1:${port}`,
    prisma,
    auth: app.get(AuthService),
    users,
    // Suites share the run's database and a worker's sweeper re-queues every queued submission it
    // finds there: what a suite leaves queued would be graded in the next suite's time.
    close: async () => {
      try {
        await prisma.submission.deleteMany({ where: { userId: { in: users } } });
        await prisma.user.deleteMany({ where: { id: { in: users } } });
      } finally {
        await app.close();
      }
    },
  };
}

/** A new user of `role` with a fresh bearer token. */
export async function userWithToken(api: ApiHarness, role: Role): Promise<{ id: string; token: string }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@test.local`;
  const user = await api.auth.createUser({ email, role });
  api.users.push(user.id);
  const { token } = await api.auth.issueToken(user.id);
  return { id: user.id, token };
}
