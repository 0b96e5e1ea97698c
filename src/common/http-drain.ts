import type { Server, ServerResponse } from 'node:http';

/**
 * Stops an api process without failing a request it has taken (rolling restarts happen at deadline
 * peaks too). Nest's own shutdown runs the providers' destroy hooks — the pg pool, Redis — before
 * it closes the HTTP server, so a submission in progress would find its pool closed and answer 500.
 * Here the server goes first: no new connection, idle keep-alive connections closed, later
 * responses sent with `Connection: close`, event streams ended (EventSource reconnects, to another
 * process), and the requests in progress finish — their rows written, their jobs handed to the
 * queue batcher, which the destroy hooks drain afterwards. Whatever is still open after the grace
 * period is cut.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private settled?: () => void;

  constructor(private readonly server: Server) {
    // Before the application's listener, so that the header is set before anything is written.
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.draining) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => {
        this.inFlight.delete(res);
        if (this.busy() === 0) this.settled?.();
      });
    });
  }

  /** Resolves once every request taken has been answered and every connection is closed. */
  async drain(graceMs: number): Promise<{ cut: number }> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const res of this.inFlight) if (isEventStream(res)) res.end();
    const settled = new Promise<void>((resolve) => {
      this.settled = resolve;
      if (this.busy() === 0) resolve();
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const cut = this.busy();
    // Connections between two requests, and any request still running past the grace period.
    this.server.closeAllConnections();
    await closed;
    return { cut };
  }

  private busy(): number {
    let n = 0;
    for (const res of this.inFlight) if (!isEventStream(res)) n++;
    return n;
  }
}

function isEventStream(res: ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}
