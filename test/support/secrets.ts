import type { NextFunction, Request, Response } from 'express';

/**
 * What a test needs to prove that secrets stay out of logs and answers (issue #18): the api's log
 * lines kept in memory (LogCapture, in place of stdout), every answer the api gave (ExchangeLog),
 * and the secrets the suite created or received (SecretRegistry), each with the answers allowed to
 * carry it. `startApi(env, observed)` wires the first two into an api harness.
 */

/** The api's log, as pino wrote it (one JSON object a line), kept in memory. */
export class LogCapture {
  private readonly chunks: string[] = [];
  /** A pino destination: pino calls write() with each serialized line. */
  readonly stream = { write: (line: string): void => void this.chunks.push(line) };

  text(): string {
    return this.chunks.join('');
  }

  /** The lines as objects (a line that is not JSON would be a log written around pino: kept as `msg`). */
  lines(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { msg: l };
        }
      });
  }
}

/** One request to the api and its answer as the client received it. */
export interface Exchange {
  /** The `X-Request-Id` the test sent, if any: how a test names the exchange that hands a secret over. */
  requestId?: string;
  method: string;
  url: string;
  /** The request's Cookie header and the answer's Set-Cookie headers: whose page it was. */
  cookies: string;
  status: number;
  /** Status line aside, what the client read: Location and the body (a redirect's body names its target). */
  body: string;
}

/** Records every answer of the api: an Express middleware mounted before everything else. */
export class ExchangeLog {
  readonly exchanges: Exchange[] = [];

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(
        Buffer.isBuffer(chunk)
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk)
            : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
      );
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    // 'close' also comes for an event stream the client hung up on: what it was sent until then counts.
    res.once('close', () => {
      const given = req.headers['x-request-id'];
      const setCookie = res.getHeader('set-cookie');
      this.exchanges.push({
        requestId: typeof given === 'string' ? given : undefined,
        method: req.method,
        url: req.originalUrl,
        cookies: [req.headers.cookie ?? '', ...(Array.isArray(setCookie) ? setCookie : [String(setCookie ?? '')])].join(
          '; ',
        ),
        status: res.statusCode,
        body: `${String(res.getHeader('location') ?? '')}\n${Buffer.concat(chunks).toString('utf8')}`,
      });
    });
    next();
  };

  byRequestId(id: string): Exchange | undefined {
    return this.exchanges.find((e) => e.requestId === id);
  }
}

/** Where a secret may be read: the answer that hands it over, and its holder's own answers. */
export interface Allowed {
  /** The X-Request-Id the test sent with the request whose answer hands the secret over. */
  handedOverBy?: string;
  /** Other answers that legitimately carry it. */
  alsoIn?: (e: Exchange) => boolean;
}

/** Answers to the holder of a cookie (its pages show the CSRF token that goes with it), or that set it. */
export const pagesOf =
  (cookieValue: string | undefined) =>
  (e: Exchange): boolean =>
    cookieValue !== undefined && e.cookies.includes(cookieValue);

interface Recorded extends Allowed {
  kind: string;
  value: string;
}

/**
 * Every secret the suite created or received. A secret must be long and random enough that finding
 * it means it leaked (never a chance match): shorter than 16 characters is refused.
 */
export class SecretRegistry {
  private readonly secrets: Recorded[] = [];

  /** Records a secret (nowhere to be read unless `allowed` says); returns it, for the test to use. */
  record(kind: string, value: string | undefined, allowed: Allowed = {}): string {
    if (!value || value.length < 16) throw new Error(`secret ${kind} is missing or too short to look for: ${value}`);
    this.secrets.push({ kind, value, ...allowed });
    return value;
  }

  get kinds(): string[] {
    return [...new Set(this.secrets.map((s) => s.kind))].sort();
  }

  /**
   * Each place a secret appears where it must not: any of the logs, or an answer it was not
   * allowed in. A finding names the secret's kind and the place, never the secret itself.
   */
  leaks(logs: Record<string, string>, exchanges: Exchange[]): string[] {
    const found: string[] = [];
    for (const s of this.secrets) {
      for (const [name, text] of Object.entries(logs))
        if (text.includes(s.value)) found.push(`${s.kind} in the ${name} log: ${context(text, s.value)}`);
      for (const e of exchanges)
        if (e.body.includes(s.value) && e.requestId !== s.handedOverBy && !s.alsoIn?.(e))
          found.push(`${s.kind} in the answer to ${e.method} ${redact(e.url, s.value)} (${e.status})`);
    }
    return found;
  }

  /**
   * The secrets whose hand-over answer is missing from `exchanges` or does not hold them: were
   * there any, the answers were not all seen, and `leaks` would prove nothing about them.
   */
  unseenHandovers(exchanges: Exchange[]): string[] {
    return this.secrets
      .filter((s) => s.handedOverBy !== undefined)
      .filter((s) => !exchanges.some((e) => e.requestId === s.handedOverBy && e.body.includes(s.value)))
      .map((s) => `${s.kind} handed over by ${s.handedOverBy}`);
  }

  get handovers(): number {
    return this.secrets.filter((s) => s.handedOverBy !== undefined).length;
  }
}

/** The text around a leaked secret, the secret masked: enough to find the line that logged it. */
function context(text: string, secret: string): string {
  const at = text.indexOf(secret);
  return redact(text.slice(Math.max(0, at - 120), at + secret.length + 60), secret);
}

function redact(text: string, secret: string): string {
  return text.split(secret).join('«secret»');
}
