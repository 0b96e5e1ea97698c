import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiModule } from '../../src/api.module';
import { ENV } from '../../src/config/config.module';
import { loadEnv } from '../../src/config/env';
import { eventually, freePort, startBuilt, waitForExit } from '../support/processes';

async function appWith(overrides: NodeJS.ProcessEnv): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] })
    .overrideProvider(ENV)
    .useValue(loadEnv({ ...process.env, ...overrides }))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('GET /health', () => {
  it('reports PostgreSQL, Redis and Docker up with 200', async () => {
    const app = await appWith({});
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body.status).toBe('ok');
      for (const dep of ['postgres', 'redis', 'docker']) expect(res.body.dependencies[dep].status).toBe('up');
    } finally {
      await app.close();
    }
  });

  it('answers 503 and names what is down when dependencies are unreachable', async () => {
    const closed = await freePort();
    const app = await appWith({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/nothing`,
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(503);
      expect(res.body.status).toBe('error');
      for (const dep of ['postgres', 'redis', 'docker']) {
        expect(res.body.dependencies[dep].status).toBe('down');
        expect(res.body.dependencies[dep].error).toEqual(expect.any(String));
      }
    } finally {
      await app.close();
    }
  });
});

describe('the api process (dist/main.js)', () => {
  it('boots and reports every dependency up', async () => {
    const port = await freePort();
    const api = startBuilt('main', { PORT: String(port) });
    try {
      const body = await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status !== 200) throw new Error(`health answered ${res.status}`);
        return (await res.json()) as { status: string };
      });
      expect(body.status).toBe('ok');
    } finally {
      api.kill('SIGTERM');
      await waitForExit(api);
    }
  });

  it('logs requests as JSON with a request id and never logs credentials', async () => {
    const port = await freePort();
    const api = startBuilt('main', { PORT: String(port), LOG_LEVEL: 'info' });
    try {
      await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status !== 200) throw new Error(`health answered ${res.status}`);
      });
      const secret = 'tok_e2e_very_secret_value';
      await fetch(`http://127.0.0.1:${port}/no-such-route`, {
        headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'req-e2e-1' },
      });
      const line = await eventually(async () => {
        const found = api
          .output()
          .split('\n')
          .find((l) => l.includes('req-e2e-1'));
        if (!found) throw new Error('request not logged yet');
        return found;
      });
      const entry = JSON.parse(line) as {
        req: { id: string; method: string; url: string; headers?: unknown };
        res: { statusCode: number };
      };
      expect(entry.req).toMatchObject({ id: 'req-e2e-1', method: 'GET', url: '/no-such-route' });
      expect(entry.res.statusCode).toBe(404);
      expect(entry.req.headers).toBeUndefined();
      expect(api.output()).not.toContain(secret);
    } finally {
      api.kill('SIGTERM');
      await waitForExit(api);
    }
  });

  it('stops at startup with a message naming DATABASE_URL when it is malformed', async () => {
    const api = startBuilt('main', { DATABASE_URL: 'mysql://root@localhost/app' });
    const code = await waitForExit(api);
    expect(code).toBe(78);
    expect(api.output()).toMatch(/DATABASE_URL/);
  });

  it('the worker process stops the same way', async () => {
    const worker = startBuilt('worker', { REDIS_URL: 'not a url' });
    const code = await waitForExit(worker);
    expect(code).toBe(78);
    expect(worker.output()).toMatch(/REDIS_URL/);
  });
});
