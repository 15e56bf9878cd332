/**
 * Bluesky Ozone adapter. As a moderator: `tools.ozone.moderation.emitEvent` (XRPC POST) with
 * `#modEventTakedown`, `#modEventLabel` or `#modEventTag`, `externalId` so a retried event is not
 * emitted twice (Ozone answers `DuplicateExternalId`, which counts as done), and
 * `modTool: { name: 'lockstep', meta: { caseId, clusterId, score } }`. As a reporter who is not a
 * moderator: `com.atproto.moderation.createReport` with a `reasonType`.
 * Source: atproto lexicons tools/ozone/moderation/emitEvent.json, com/atproto/moderation/createReport.json.
 */
import type { DecisionKind } from '../types.js';
import type { EnforcementAdapter, EnforcementRequest } from './port.js';
import { RETRY_DEFAULTS, classify, httpCall, withRetries } from './retry.js';
import type { RetryOptions } from './retry.js';

export interface OzoneOptions {
  /** The Ozone service (moderator mode) or the reporter's PDS (reporter mode). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer ...` (a service-auth or session token). */
  token: string;
  /** The moderator's DID (`createdBy`). */
  moderatorDid: string;
  mode: 'moderator' | 'reporter';
  /** Label value for `label` decisions. */
  label: string;
  /** Tag every actioned subject with `lockstep-case-<caseId>` first (#modEventTag). */
  tagCases: boolean;
  reasonType: string;
  fetch: typeof fetch;
  retry: Partial<RetryOptions>;
}

export const OZONE_DEFAULTS: Omit<OzoneOptions, 'baseUrl' | 'token' | 'moderatorDid'> = {
  mode: 'moderator',
  label: 'coordinated-inauthentic',
  tagCases: true,
  reasonType: 'tools.ozone.report.defs#reasonMisleadingBot',
  fetch: globalThis.fetch,
  retry: RETRY_DEFAULTS,
};

const DEFS = 'tools.ozone.moderation.defs';

function moderationEvent(decision: DecisionKind, request: EnforcementRequest, label: string): Record<string, unknown> | null {
  const comment = `lockstep case ${request.caseId}: ${request.reason}`;
  switch (decision) {
    case 'suspend':
    case 'remove':
      return { $type: `${DEFS}#modEventTakedown`, comment, acknowledgeAccountSubjects: true };
    case 'label':
      return { $type: `${DEFS}#modEventLabel`, comment, createLabelVals: [label], negateLabelVals: [] };
    case 'no_action':
      return null;
  }
}

function xrpcError(body: unknown): string | null {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : null;
}

export function ozoneAdapter(options: Pick<OzoneOptions, 'baseUrl' | 'token' | 'moderatorDid'> & Partial<OzoneOptions>): EnforcementAdapter {
  const settings = { ...OZONE_DEFAULTS, ...options };
  const base = settings.baseUrl.replace(/\/+$/, '');
  const now = settings.retry.now ?? Date.now;
  const call = async (nsid: string, body: Record<string, unknown>): Promise<{ ok: boolean; attempts: number; detail: string }> => {
    const { result, attempts } = await withRetries(async () => {
      const answer = await httpCall(settings.fetch, `${base}/xrpc/${nsid}`, {
        method: 'POST', headers: { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      if (answer.status === 400 && xrpcError(answer.body) === 'DuplicateExternalId') return { kind: 'ok' as const, value: 'already emitted (DuplicateExternalId)' };
      const verdict = classify(answer, now());
      if (verdict.kind !== 'ok') return verdict;
      const id = typeof answer.body === 'object' && answer.body !== null ? (answer.body as { id?: unknown }).id : undefined;
      return { kind: 'ok' as const, value: `${nsid} id ${String(id)}` };
    }, settings.retry);
    return result.kind === 'ok' ? { ok: true, attempts, detail: result.value } : { ok: false, attempts, detail: result.reason };
  };
  return {
    name: 'ozone',
    async enforce(request) {
      if (request.entity.kind !== 'account') return { status: 'skipped', attempts: 0, detail: `Bluesky has no ${request.entity.kind}s` };
      if (!request.entity.id.startsWith('did:')) return { status: 'failed', attempts: 0, detail: `"${request.entity.id}" is not a DID; Ozone acts on did:plc/did:web subjects` };
      const subject = { $type: 'com.atproto.admin.defs#repoRef', did: request.entity.id };
      const modTool = { name: 'lockstep', meta: { caseId: request.caseId, clusterId: request.clusterId, score: request.score } };
      if (settings.mode === 'reporter') {
        if (request.decision === 'no_action') return { status: 'skipped', attempts: 0, detail: 'nothing to report for no_action' };
        const report = await call('com.atproto.moderation.createReport', {
          reasonType: settings.reasonType, reason: `lockstep case ${request.caseId} (${request.decision}): ${request.reason}`, subject, modTool,
        });
        return { status: report.ok ? 'done' : 'failed', attempts: report.attempts, detail: report.detail };
      }
      const event = moderationEvent(request.decision, request, settings.label);
      if (event === null) return { status: 'skipped', attempts: 0, detail: 'nothing to do on Ozone for no_action' };
      let attempts = 0;
      if (settings.tagCases) {
        const tag = await call('tools.ozone.moderation.emitEvent', {
          event: { $type: `${DEFS}#modEventTag`, add: [`lockstep-case-${request.caseId}`], remove: [], comment: 'lockstep case' },
          subject, createdBy: settings.moderatorDid, modTool, externalId: `${request.idempotencyKey}:tag`,
        });
        attempts += tag.attempts;
        if (!tag.ok) return { status: 'failed', attempts, detail: `tagging: ${tag.detail}` };
      }
      const main = await call('tools.ozone.moderation.emitEvent', { event, subject, createdBy: settings.moderatorDid, modTool, externalId: request.idempotencyKey });
      return { status: main.ok ? 'done' : 'failed', attempts: attempts + main.attempts, detail: main.detail };
    },
  };
}
