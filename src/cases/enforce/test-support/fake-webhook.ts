/** A webhook receiver for tests: checks the HMAC signature and dedupes on Idempotency-Key. */
import { verifyWebhookSignature } from '../webhook.js';
import { startFakeServer } from './fake-server.js';
import type { FakeServer } from './fake-server.js';

export interface FakeWebhook extends FakeServer { accepted: Map<string, unknown> }

export async function startFakeWebhook(secret: string): Promise<FakeWebhook> {
  const accepted = new Map<string, unknown>();
  const server = await startFakeServer((request) => {
    const timestamp = request.headers['x-lockstep-timestamp'] ?? '';
    const signature = request.headers['x-lockstep-signature'] ?? '';
    if (!verifyWebhookSignature(secret, timestamp, request.body, signature)) return { status: 401, body: { error: 'bad signature' } };
    const key = request.headers['idempotency-key'];
    if (key === undefined) return { status: 400, body: { error: 'Idempotency-Key missing' } };
    if (accepted.has(key)) return { status: 200, body: { duplicate: true } };
    accepted.set(key, request.parsed);
    return { status: 202, body: { accepted: true } };
  });
  return { ...server, accepted };
}
