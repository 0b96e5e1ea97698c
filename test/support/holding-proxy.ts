import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a service whose client-to-service bytes can be held back: the client
 * (the api) sees its commands sent and never answered, as if the service were hanging, while the
 * service itself keeps serving everyone else. The fault suite holds the api's Redis traffic to
 * catch the api between storing a submission and queueing it, then kills it there.
 */
export class HoldingProxy {
  private holding = false;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private readonly server: Server;
  private port = 0;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<HoldingProxy> {
    const proxy = new HoldingProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    proxy.port = address.port;
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** From now on, what clients send is dropped (never reaches the service) until `pass()`. */
  hold(): void {
    this.holding = true;
  }

  /** Cuts every connection (what was held is lost with them) and forwards again. */
  pass(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.holding = false;
  }

  async close(): Promise<void> {
    this.pass();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('data', (chunk) => {
      if (!this.holding) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
