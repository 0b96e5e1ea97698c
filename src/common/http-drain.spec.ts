import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpDrain } from './http-drain';

/** A real HTTP server whose handler the test controls, and a client that reads whole answers. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; get: (path: string) => Promise<{ status: number; body: string; connection?: string }> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = (path: string) =>
    new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  return { server, get };
}

describe('HttpDrain', () => {
  it('lets a request in progress finish and refuses new connections', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { server, get } = await serve((_req, res) => {
      entered();
      release = () => res.end('done');
    });
    const drain = new HttpDrain(server);
    const slow = get('/slow');
    await inHandler;
    const drained = drain.drain(60_000);
    await expect(get('/late')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    await expect(slow).resolves.toMatchObject({ status: 200, body: 'done' });
    await expect(drained).resolves.toEqual({ cut: 0 });
  });

  it('ends event streams at once instead of waiting for them', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { server, get } = await serve((_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.write('event: queued\n\n');
      entered();
    });
    const drain = new HttpDrain(server);
    const stream = get('/events');
    await inHandler;
    await expect(drain.drain(60_000)).resolves.toEqual({ cut: 0 });
    await expect(stream).resolves.toMatchObject({ status: 200, body: 'event: queued\n\n' });
  });

  it('cuts what is still running after the grace period and says how many', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { server, get } = await serve(() => entered());
    const drain = new HttpDrain(server);
    const stuck = get('/never');
    await inHandler;
    await expect(drain.drain(50)).resolves.toEqual({ cut: 1 });
    await expect(stuck).rejects.toThrow();
  });
});
