import http from 'node:http';
import net from 'node:net';

/** What a hostile client may send: any method, path, headers and body bytes. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP client that sends what it is given, byte for byte, over keep-alive connections: unlike
 * supertest it neither re-encodes the body nor rejects odd paths (they are percent-encoded only
 * where Node refuses the raw character). `sendRaw` writes bytes Node's client refuses (CR/LF in
 * a header, a raw request line) straight to a socket.
 */
export class RawHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly base: URL;

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  send(req: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    return new Promise((resolve, reject) => {
      const r = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: req.method,
          path: safePath(req.path),
          headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
          agent: this.agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path}`)));
      r.on('error', reject);
      r.end(body);
    });
  }

  /** Sends `req` and resolves on the status line, then hangs up: for event streams that never end. */
  head(req: RawRequest, timeoutMs = 30_000): Promise<{ status: number; location?: string }> {
    return new Promise((resolve, reject) => {
      const r = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: req.method,
          path: safePath(req.path),
          headers: req.headers,
          timeout: timeoutMs,
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
          res.destroy();
          r.destroy();
        },
      );
      r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path}`)));
      r.on('error', (e) => reject(e));
      r.end(req.body);
    });
  }

  /** Writes `head` (request line and headers, CRLF-terminated by the caller) and `body` to a new socket; the status line's code. */
  sendRaw(head: string | Buffer, body: Buffer = Buffer.alloc(0), timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(this.base.port), this.base.hostname);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => socket.destroy(new Error('raw request timed out')), timeoutMs);
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        if (m) {
          clearTimeout(timer);
          socket.destroy();
          resolve(Number(m[1]));
        }
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      // Node answers a request it cannot parse with 400 and closes; a close without a status line is a reset.
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(
          chunks.length ? Number(/^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0) : 0,
        );
      });
      socket.write(Buffer.concat([Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'), body]));
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Node's client throws on characters a request line cannot hold; those are sent percent-encoded (the server decodes them). */
function safePath(path: string): string {
  return path.replace(/[^\x21-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%ED%A0%80'; // a lone surrogate: its would-be UTF-8 bytes
    }
  });
}
