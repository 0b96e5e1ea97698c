import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** How the receiver answers one request. */
export type Reply =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Cuts the connection without answering: the receiver is down. */
  | { kind: 'drop' }
  /** Never answers (until closed). */
  | { kind: 'hang' }
  /** Answers 200 after `ms`. */
  | { kind: 'slow'; ms: number };

/** One request as received, with what the receiver made of it. */
export interface Received {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  at: number;
  /** The signature verified with at least one of the receiver's secrets. */
  verified: boolean;
  /** The answer given (null: none). */
  answered: number | null;
}

/**
 * A school's webhook endpoint, over real HTTP: verifies each request's Standard Webhooks signature
 * with the secrets it holds (401 when none matches, as a careful receiver does), deduplicates on
 * webhook-id, and answers as scripted (`plan`: one reply per request, then `otherwise`).
 */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  /** Accepted messages by webhook-id: what the school's side would have applied, once each. */
  readonly accepted = new Map<string, unknown>();
  private readonly planned: Reply[] = [];
  otherwise: Reply = { kind: 'ok' };
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = '';

  constructor(public secrets: string[]) {}

  static async start(secrets: string[]): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(secrets);
    await r.listen();
    return r;
  }

  /** Replies for the next requests, in order. */
  plan(...replies: Reply[]): this {
    this.planned.push(...replies);
    return this;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((res) => this.server!.listen(0, '127.0.0.1', res));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/hooks/dockgrader`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    const verified = this.secrets.some((s) => {
      try {
        new Webhook(s).verify(body, headers);
        return true;
      } catch (err) {
        if (err instanceof WebhookVerificationError) return false;
        throw err;
      }
    });
    const entry: Received = {
      id: headers['webhook-id'],
      timestamp: Number(headers['webhook-timestamp']),
      signature: headers['webhook-signature'],
      body,
      at: Date.now(),
      verified,
      answered: null,
    };
    this.requests.push(entry);
    const reply = this.planned.shift() ?? this.otherwise;
    const answer = (status: number, text: string, extra: Record<string, string> = {}) => {
      entry.answered = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...extra }).end(text);
    };
    if (!verified) return answer(401, 'bad signature');
    switch (reply.kind) {
      case 'ok':
        this.accept(entry);
        return answer(200, 'ok');
      case 'status':
        return answer(
          reply.status,
          reply.body ?? `status ${reply.status}`,
          reply.retryAfter ? { 'retry-after': reply.retryAfter } : {},
        );
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        this.hanging.add(res);
        return;
      case 'slow':
        await new Promise((r) => setTimeout(r, reply.ms));
        this.accept(entry);
        return answer(200, 'ok');
    }
  }

  private accept(entry: Received): void {
    if (!this.accepted.has(entry.id)) this.accepted.set(entry.id, JSON.parse(entry.body));
  }

  /** Requests carrying one webhook-id. */
  for(id: string): Received[] {
    return this.requests.filter((r) => r.id === id);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.socket?.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((res) => this.server?.close(() => res()) ?? res());
  }
}

/** Signs a request as a school's platform does (Standard Webhooks), for inbound tests. */
export function signedHeaders(
  secret: string,
  id: string,
  body: string,
  at = new Date(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
