import http from 'node:http';
import type { Client } from 'pg';

/**
 * Talking to a running api as the benches' clients do: JSON calls with a bearer token, and waiting
 * for a submission's or a regrade run's end (bench:pipeline, bench:reports).
 */

/** Keep-alive connections to the api under test (destroy it when the bench ends). */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One JSON request with a bearer token; the answer's status and text. */
export function call(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      },
      (r) => {
        let out = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (out += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: out }));
      },
    );
    req.on('error', rej);
    if (data) req.write(data);
    req.end();
  });
}

/** Waits for the SSE stream of a submission to report graded or error; `onRunning` at the first running event. */
export async function waitGraded(
  base: string,
  token: string,
  id: string,
  onRunning?: () => void,
): Promise<{ type: string; score?: number }> {
  const res = await fetch(`${base}/api/submissions/${id}/events`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(300_000),
  });
  if (!res.body) throw new Error(`events: ${res.status}`);
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    if (onRunning && buffer.includes('event: running')) {
      onRunning();
      onRunning = undefined;
    }
    const m = /event: (graded|error)\ndata: (.*)\n/.exec(buffer);
    if (m) return JSON.parse(m[2]) as { type: string; score?: number };
  }
  throw new Error(`event stream of ${id} ended without a result`);
}

/** The regrade run's progress, read from GET /api/regrades/{id} every `everyMs` until it is finished. */
export async function waitRegradeFinished(
  base: string,
  token: string,
  runId: string,
  timeoutMs: number,
  everyMs = 500,
): Promise<{ total: number; done: number; changed: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await call(base, 'GET', `/api/regrades/${runId}`, token);
    if (r.status !== 200) throw new Error(`regrade ${runId}: ${r.status} ${r.body.slice(0, 200)}`);
    const run = JSON.parse(r.body) as { status: string; total: number; done: number; changed: number };
    if (run.status === 'finished') return run;
    if (performance.now() > deadline)
      throw new Error(`regrade ${runId}: ${run.done} / ${run.total} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, everyMs));
  }
}

/** How long a new worker is given to fill its warm pool of `concurrency` sandboxes, as a running one would have. */
export function poolWarmUpMs(concurrency: number): number {
  return 3000 + 1500 * concurrency;
}

/**
 * Polls PostgreSQL every second until none of `ids` is queued or running (no stream per submission:
 * hundreds queued behind a worker wait longer than an event stream's timeout); their final rows.
 */
export async function waitAllFinished(
  pg: Client,
  ids: string[],
  timeoutMs: number,
): Promise<{ id: string; status: string; score: number | null }[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await pg.query<{ id: string; status: string; score: number | null }>(
      'SELECT id, status::text AS status, score FROM submissions WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const open = rows.filter((r) => r.status === 'queued' || r.status === 'running').length;
    if (open === 0 && rows.length === ids.length) return rows;
    if (performance.now() > deadline)
      throw new Error(`${open} of ${ids.length} submissions still open after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}
