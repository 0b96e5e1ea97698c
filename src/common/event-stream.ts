import type { Request, Response } from 'express';

const HEARTBEAT_MS = 15_000;

/** An open server-sent events response: named events, closed once (by us or by the client). */
export interface EventStream {
  send(event: string, data: unknown): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Starts a server-sent events response: headers that keep proxies from buffering it, a comment
 * every 15 s so idle connections are not cut, and `onClose` (unsubscribe) called exactly once,
 * whether the client leaves or the stream ends.
 */
export function openEventStream(req: Request, res: Response, onClose: () => void): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  let closed = false;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
    res.end();
  };
  req.on('close', close);
  return {
    send: (event, data) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
    get closed() {
      return closed;
    },
  };
}
