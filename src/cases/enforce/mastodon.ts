/**
 * Mastodon admin API adapter: `POST /api/v1/admin/accounts/:id/action` with `type`
 * (suspend|silence|disable|sensitive) and `text`, and `POST /api/v1/admin/ip_blocks` with
 * `severity: sign_up_block` for a network's infrastructure.
 * Source: https://docs.joinmastodon.org/methods/admin/accounts/#action, /methods/admin/ip_blocks/#create.
 * Mastodon does not dedupe account actions; the case service skips entities already actioned.
 */
import type { DecisionKind } from '../types.js';
import type { EnforcementAdapter, EnforcementRequest, EnforcementResult } from './port.js';
import { RETRY_DEFAULTS, classify, httpCall, withRetries } from './retry.js';
import type { RetryOptions } from './retry.js';

export type MastodonActionType = 'suspend' | 'silence' | 'disable' | 'sensitive';

export interface MastodonOptions {
  baseUrl: string;
  token: string;
  /** What each decision does on Mastodon (null: nothing to do there). */
  actionFor: Record<DecisionKind, MastodonActionType | null>;
  fetch: typeof fetch;
  retry: Partial<RetryOptions>;
}

export const MASTODON_DEFAULTS: Omit<MastodonOptions, 'baseUrl' | 'token'> = {
  actionFor: { suspend: 'suspend', remove: 'suspend', label: 'sensitive', no_action: null },
  fetch: globalThis.fetch,
  retry: RETRY_DEFAULTS,
};

/** The text moderators read in Mastodon's admin log. */
function actionText(request: EnforcementRequest): string {
  return `lockstep case ${request.caseId} (cluster ${request.clusterId}, score ${request.score.toFixed(2)}): ${request.reason}`;
}

export function mastodonAdapter(options: Pick<MastodonOptions, 'baseUrl' | 'token'> & Partial<MastodonOptions>): EnforcementAdapter & {
  blockSignupNetwork(cidr: string, comment: string): Promise<EnforcementResult>;
} {
  const settings = { ...MASTODON_DEFAULTS, ...options };
  const base = settings.baseUrl.replace(/\/+$/, '');
  const post = async (path: string, body: Record<string, unknown>, alreadyDone: (text: string) => boolean): Promise<EnforcementResult> => {
    const now = settings.retry.now ?? Date.now;
    const { result, attempts } = await withRetries(async () => {
      const answer = await httpCall(settings.fetch, `${base}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      if (answer.status === 422 && alreadyDone(answer.text)) return { kind: 'ok' as const, value: 'already in place' };
      const verdict = classify(answer, now());
      return verdict.kind === 'ok' ? { kind: 'ok' as const, value: `HTTP ${answer.status}` } : verdict;
    }, settings.retry);
    return result.kind === 'ok' ? { status: 'done', attempts, detail: result.value } : { status: 'failed', attempts, detail: result.reason };
  };
  return {
    name: 'mastodon',
    async enforce(request) {
      if (request.entity.kind !== 'account') return { status: 'skipped', attempts: 0, detail: `Mastodon has no ${request.entity.kind}s` };
      const type = settings.actionFor[request.decision];
      if (type === null) return { status: 'skipped', attempts: 0, detail: `nothing to do on Mastodon for ${request.decision}` };
      return post(`/api/v1/admin/accounts/${encodeURIComponent(request.entity.id)}/action`, { type, text: actionText(request) }, () => false);
    },
    /** Blocks sign-ups from a network (a CIDR) the campaign registered from. */
    async blockSignupNetwork(cidr, comment) {
      return post('/api/v1/admin/ip_blocks', { ip: cidr, severity: 'sign_up_block', comment }, (text) => /already been taken/i.test(text));
    },
  };
}
