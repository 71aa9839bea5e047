import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running item server. */
export interface ItemServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The app's upstream, on 127.0.0.1: `/items/<id>` is found, except `/items/404`. */
export async function startItemServer(): Promise<ItemServer> {
  const server = createServer((req, res) => {
    const id = new URL(req.url ?? '/', 'http://localhost').pathname.split('/')[2];
    if (id === undefined || id === '404') res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps idle keep-alive sockets open
      }),
  };
}
