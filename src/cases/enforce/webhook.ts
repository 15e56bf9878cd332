/**
 * Signed webhooks for any other platform: a JSON POST per entity, signed with HMAC-SHA256 over
 * `<timestamp>.<body>` in `X-Lockstep-Signature: sha256=<hex>` (with `X-Lockstep-Timestamp`),
 * and an `Idempotency-Key` header the receiver dedupes on (as Stripe's and GitHub's webhooks do).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EnforcementAdapter } from './port.js';
import { RETRY_DEFAULTS, classify, httpCall, withRetries } from './retry.js';
import type { RetryOptions } from './retry.js';

export interface WebhookOptions { url: string; secret: string; fetch: typeof fetch; retry: Partial<RetryOptions>; now: () => number }

export const WEBHOOK_DEFAULTS: Omit<WebhookOptions, 'url' | 'secret'> = { fetch: globalThis.fetch, retry: RETRY_DEFAULTS, now: Date.now };

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): true when the signature is the one the secret gives. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function webhookAdapter(options: Pick<WebhookOptions, 'url' | 'secret'> & Partial<WebhookOptions>): EnforcementAdapter {
  const settings = { ...WEBHOOK_DEFAULTS, ...options };
  return {
    name: 'webhook',
    async enforce(request) {
      if (request.decision === 'no_action') return { status: 'skipped', attempts: 0, detail: 'nothing to send for no_action' };
      const body = JSON.stringify({
        type: 'lockstep.enforcement', idempotencyKey: request.idempotencyKey, caseId: request.caseId, clusterId: request.clusterId,
        score: request.score, entity: request.entity, decision: request.decision, reason: request.reason,
      });
      const { result, attempts } = await withRetries(async () => {
        const timestamp = String(Math.floor(settings.now() / 1000));
        const answer = await httpCall(settings.fetch, settings.url, {
          method: 'POST', body,
          headers: { 'content-type': 'application/json', 'x-lockstep-timestamp': timestamp, 'x-lockstep-signature': webhookSignature(settings.secret, timestamp, body), 'idempotency-key': request.idempotencyKey },
        });
        return classify(answer, settings.now());
      }, settings.retry);
      return result.kind === 'ok' ? { status: 'done', attempts, detail: `HTTP ${result.value.status}` } : { status: 'failed', attempts, detail: result.reason };
    },
  };
}
