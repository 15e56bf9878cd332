/**
 * A tiny local HTTP server for adapter tests: records every request, answers from a handler,
 * and can be told to fail the next requests (an error status or a 429 with rate-limit headers).
 * Listens on 127.0.0.1, port 0 (OS-chosen).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body text. */
  body: string;
  /** The body parsed as JSON or form data (urlencoded), or null when neither. */
  parsed: unknown;
  /** The status the fake answered with. */
  status: number;
}

export interface FakeReply { status: number; body?: unknown; headers?: Record<string, string> }

/** A scripted failure: answered instead of the real handler for the next request. */
export type ScriptedFailure = FakeReply;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Answer the next `count` requests with `reply` instead of handling them. */
  failNext(reply: FakeReply, count?: number): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return null;
  if (contentType.includes('application/json')) {
    try { return JSON.parse(text) as unknown; } catch { return null; }
  }
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(text)) form[key] = value;
    return form;
  }
  return null;
}

function send(response: ServerResponse, reply: FakeReply): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  response.end(body);
}

/** Starts a fake whose `handle` answers each request not overridden by `failNext`. */
export async function startFakeServer(handle: (request: Omit<RecordedRequest, 'status'>) => FakeReply): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const script: FakeReply[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[key] = value;
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const recorded = { method: request.method ?? 'GET', path: url.pathname, headers, body, parsed: parseBody(body, headers['content-type'] ?? '') };
      let reply: FakeReply;
      try {
        reply = script.shift() ?? handle(recorded);
      } catch (error) {
        reply = { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
      }
      requests.push({ ...recorded, status: reply.status });
      send(response, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(reply, count = 1) { for (let i = 0; i < count; i++) script.push(reply); },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error === undefined ? resolve() : reject(error)));
    }),
  };
}
