import { connect, type Socket } from 'node:net';

/**
 * An HTTP/1.1 load generator for one endpoint, light enough to share two cores with the server it
 * measures: requests are serialized once up front and written to keep-alive sockets, responses are
 * parsed only as far as the status line and Content-Length. (Node's http client costs several
 * times more CPU per request, which on this machine is taken from the server being measured.)
 *
 * Two modes:
 * - open loop (`rate`): request i is due at start + i/rate, whatever the server does, as students
 *   at a deadline each submit once without waiting for one another. A request that finds every
 *   connection busy waits, and its latency counts from when it was due (no coordinated omission).
 * - closed loop (no `rate`): every connection sends its next request as soon as the previous one
 *   answered: the most the server can take at that concurrency.
 */
export interface LoadOptions {
  host: string;
  port: number;
  /** Requests to send. */
  requests: number;
  connections: number;
  /** Requests per second (open loop); omit for closed loop. */
  rate?: number;
  /** The raw request i (method line, headers, body). */
  request: (i: number) => Buffer;
}

export interface LoadResult {
  /** Latency of each request in ms, from when it was due (open loop) or sent (closed loop). */
  latencies: number[];
  /** Responses per status code. */
  statuses: Record<number, number>;
  /** From the first request due to the last response, in s. */
  seconds: number;
  /** Requests that got no response (connection error). */
  errors: number;
  /** Latency percentiles of the requests due in each second of the run (where a tail comes from). */
  perSecond: Array<{ second: number; requests: number; p50Ms: number; p99Ms: number }>;
}

/** Builds a raw HTTP/1.1 request with a JSON body. */
export function jsonRequest(method: string, path: string, headers: Record<string, string>, body: unknown): Buffer {
  const data = Buffer.from(JSON.stringify(body));
  const head = [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: keep-alive',
    'Content-Type: application/json',
    `Content-Length: ${data.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), data]);
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** A request unanswered this long counts as an error (its connection is closed). */
const RESPONSE_TIMEOUT_MS = 30_000;
const CRLF = Buffer.from('\r\n');

/** Where a chunked body starting at `from` ends (after its last chunk and trailer), or -1 if not all here. */
function chunkedEnd(buffer: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return -1;
    const size = Number.parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) {
      const trailerEnd = buffer.indexOf(HEADER_END, lineEnd);
      return trailerEnd < 0 ? -1 : trailerEnd + HEADER_END.length;
    }
    at = lineEnd + CRLF.length + size + CRLF.length;
    if (at > buffer.length) return -1;
  }
}

/**
 * One keep-alive connection with at most one request in flight. A connection the server closed
 * while idle (its keep-alive timeout: rarely used connections of an open-loop run) is opened again
 * for the next request, as a browser would.
 */
class Connection {
  private socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending?: (status: number | null) => void;
  private timer?: NodeJS.Timeout;
  readonly ready: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = this.open();
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.buffer = Buffer.alloc(0);
    // Events of a socket that was replaced concern no request of ours any more.
    socket.on('data', (chunk: Buffer) => this.socket === socket && this.onData(chunk));
    socket.on('error', () => this.socket === socket && this.fail());
    socket.on('close', () => this.socket === socket && this.fail());
    return socket;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  send(request: Buffer, done: (status: number | null) => void): void {
    this.pending = done;
    if (this.socket.destroyed) this.socket = this.open(); // writes wait for the connection
    this.timer = setTimeout(() => this.socket.destroy(), RESPONSE_TIMEOUT_MS);
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      const status = Number(head.slice(9, 12));
      const bodyStart = end + HEADER_END.length;
      const total = /\r\ntransfer-encoding:\s*chunked/i.test(head)
        ? chunkedEnd(this.buffer, bodyStart)
        : bodyStart + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (total < 0 || this.buffer.length < total) return;
      this.buffer = this.buffer.subarray(total);
      const pending = this.pending;
      this.pending = undefined;
      clearTimeout(this.timer);
      pending?.(status);
    }
  }

  private fail(): void {
    clearTimeout(this.timer);
    const pending = this.pending;
    this.pending = undefined;
    pending?.(null);
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connections = Array.from({ length: options.connections }, () => new Connection(options.host, options.port));
  await Promise.all(connections.map((c) => c.ready));
  const latencies: number[] = [];
  const dueSeconds: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  let finished = 0;
  let lastResponse = 0;
  const start = performance.now();
  // Closed loop: a request is due as soon as a connection is free.
  const dueAt = (i: number, now: number) => (options.rate ? start + (i * 1000) / options.rate : now);

  try {
    await new Promise<void>((resolve) => {
      const issue = (): void => {
        const now = performance.now();
        for (const conn of connections) {
          if (next >= options.requests) break;
          if (conn.busy) continue;
          const due = dueAt(next, now);
          if (due > now) break;
          const i = next++;
          conn.send(options.request(i), (status) => {
            lastResponse = performance.now();
            latencies.push(lastResponse - due);
            dueSeconds.push(Math.floor((due - start) / 1000));
            if (status === null) errors++;
            else statuses[status] = (statuses[status] ?? 0) + 1;
            if (++finished === options.requests) resolve();
            else issue();
          });
        }
        // Open loop: come back when the next request is due (a connection freeing up also calls issue()).
        if (options.rate && next < options.requests) {
          clearTimeout(timer);
          timer = setTimeout(issue, Math.max(0, dueAt(next, 0) - performance.now()));
        }
      };
      let timer: NodeJS.Timeout | undefined;
      issue();
    });
  } finally {
    for (const c of connections) c.close();
  }
  const bySecond = new Map<number, number[]>();
  latencies.forEach((ms, i) => bySecond.set(dueSeconds[i], [...(bySecond.get(dueSeconds[i]) ?? []), ms]));
  const perSecond = [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, xs]) => ({
      second,
      requests: xs.length,
      p50Ms: Math.round(percentile(xs, 50) * 10) / 10,
      p99Ms: Math.round(percentile(xs, 99) * 10) / 10,
    }));
  return { latencies, statuses, seconds: (lastResponse - start) / 1000, errors, perSecond };
}

export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)] : NaN;
}
