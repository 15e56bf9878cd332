/**
 * A Mastodon-shaped admin API for tests (and for the UI's end-to-end test): checks requests
 * against the documented shapes of
 *  - `POST /api/v1/admin/accounts/:id/action` (type none|sensitive|disable|silence|suspend, text,
 *    report_id, warning_preset_id, send_email_notification; answers `{}`),
 *  - `POST /api/v1/admin/ip_blocks` (ip as CIDR, severity sign_up_requires_approval|sign_up_block|no_access,
 *    comment, expires_in; answers an Admin::IpBlock),
 * and answers as Mastodon does: 401 `{"error":"The access token is invalid"}`, 404 `Record not found`,
 * 422 `{"error":"Validation failed: ..."}`, 429 with X-RateLimit-* headers.
 * Source: https://docs.joinmastodon.org/methods/admin/accounts/#action and /methods/admin/ip_blocks/#create
 */
import { startFakeServer } from './fake-server.js';
import type { FakeReply, FakeServer, RecordedRequest } from './fake-server.js';

export const FAKE_MASTODON_TOKEN = 'fake-mastodon-admin-token';

const ACTION_TYPES = ['none', 'sensitive', 'disable', 'silence', 'suspend'];
const IP_SEVERITIES = ['sign_up_requires_approval', 'sign_up_block', 'no_access'];

export interface FakeMastodon extends FakeServer {
  /** Actions taken per account id, in order (what a moderator would see in the admin log). */
  actions: Map<string, string[]>;
  ipBlocks: { id: string; ip: string; severity: string; comment: string }[];
}

export interface FakeMastodonOptions {
  token: string;
  /** Account ids that exist; others answer 404. Default: any. */
  knownAccounts: (id: string) => boolean;
}

export const FAKE_MASTODON_DEFAULTS: FakeMastodonOptions = { token: FAKE_MASTODON_TOKEN, knownAccounts: (id) => id !== '' };

/** The 429 Mastodon's rack-attack answers with (reset in `seconds`). */
export function mastodonRateLimited(seconds = 1): FakeReply {
  return {
    status: 429, body: { error: 'Too many requests' },
    headers: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(Date.now() + seconds * 1000).toISOString() },
  };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]+(\/\d{1,3})?)$/;

/** Starts the fake on 127.0.0.1 (port chosen by the OS). Close it when done. */
export async function startFakeMastodon(options: Partial<FakeMastodonOptions> = {}): Promise<FakeMastodon> {
  const settings = { ...FAKE_MASTODON_DEFAULTS, ...options };
  const actions = new Map<string, string[]>();
  const ipBlocks: FakeMastodon['ipBlocks'] = [];
  const handle = (request: Omit<RecordedRequest, 'status'>): FakeReply => {
    if (request.headers['authorization'] !== `Bearer ${settings.token}`) return { status: 401, body: { error: 'The access token is invalid' } };
    if (request.method !== 'POST') return { status: 404, body: { error: 'Record not found' } };
    if (request.parsed === null) return { status: 422, body: { error: 'Validation failed: body must be JSON or form data' } };
    const account = /^\/api\/v1\/admin\/accounts\/([^/]+)\/action$/.exec(request.path);
    if (account !== null) {
      const id = decodeURIComponent(account[1] ?? '');
      if (!settings.knownAccounts(id)) return { status: 404, body: { error: 'Record not found' } };
      const type = field(request.parsed, 'type');
      if (typeof type !== 'string' || !ACTION_TYPES.includes(type)) return { status: 422, body: { error: `Validation failed: Type is not included in the list` } };
      const text = field(request.parsed, 'text');
      if (text !== undefined && typeof text !== 'string') return { status: 422, body: { error: 'Validation failed: Text must be a string' } };
      actions.set(id, [...(actions.get(id) ?? []), type]);
      return { status: 200, body: {} };
    }
    if (request.path === '/api/v1/admin/ip_blocks') {
      const ip = field(request.parsed, 'ip');
      const severity = field(request.parsed, 'severity');
      if (typeof ip !== 'string' || !CIDR.test(ip)) return { status: 422, body: { error: "Validation failed: Ip can't be blank or is invalid" } };
      if (typeof severity !== 'string' || !IP_SEVERITIES.includes(severity)) return { status: 422, body: { error: 'Validation failed: Severity is not included in the list' } };
      if (ipBlocks.some((block) => block.ip === ip)) return { status: 422, body: { error: 'Validation failed: Ip has already been taken' } };
      const comment = field(request.parsed, 'comment');
      const block = { id: String(ipBlocks.length + 1), ip, severity, comment: typeof comment === 'string' ? comment : '' };
      ipBlocks.push(block);
      return { status: 200, body: { ...block, created_at: new Date().toISOString(), expires_at: null } };
    }
    return { status: 404, body: { error: 'Record not found' } };
  };
  const server = await startFakeServer(handle);
  return { ...server, actions, ipBlocks };
}
