/** Listening: the app on a host and port (127.0.0.1 and an OS-chosen port by default). */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';

export interface RunningServer { url: string; port: number; close(): Promise<void> }

/**
 * Listens with the app, or with `options.listener` when given (createApiServer's, which serves the
 * app and the sign-up fast path).
 */
export async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, options: { host?: string; port?: number; listener?: RequestListener } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const listener = options.listener;
  return new Promise((resolve, reject) => {
    const ready = (info: AddressInfo): void => {
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${info.port}`, port: info.port,
        close: () => new Promise<void>((done, fail) => {
          (server as Server).closeAllConnections();
          server.close((error) => (error === undefined ? done() : fail(error)));
        }),
      });
    };
    const server = listener === undefined
      ? serve({ fetch: (request: Request) => app.fetch(request), hostname: host, port: options.port ?? 0 }, ready)
      : createServer(listener).listen(options.port ?? 0, host, () => ready(server.address() as AddressInfo));
    server.once('error', reject);
  });
}
