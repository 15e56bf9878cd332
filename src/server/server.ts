/** Listening: the app on a host and port (127.0.0.1 and an OS-chosen port by default). */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface RunningServer { url: string; port: number; close(): Promise<void> }

export async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request: Request) => app.fetch(request), hostname: host, port: options.port ?? 0 }, (info: AddressInfo) => {
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${info.port}`, port: info.port,
        close: () => new Promise<void>((done, fail) => {
          (server as Server).closeAllConnections();
          server.close((error) => (error === undefined ? done() : fail(error)));
        }),
      });
    });
    server.once('error', reject);
  });
}
