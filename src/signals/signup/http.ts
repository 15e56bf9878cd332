/**
 * The online sign-up scorer as a Hono sub-app: `POST /score` with a JSON registration, answering
 * `{ account_id, decision, score, reasons }`. The API server mounts it at `/v1/signups` behind its
 * auth; malformed input gets 400 `INVALID_REQUEST` naming the field (docs/api-v1.md).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { parseIpv4 } from '../ipv4.js';
import type { SignupInput, SignupScorer } from './scorer.js';

const text = (name: string, max: number): z.ZodString => z.string({ error: `${name} must be a string` }).max(max, `${name} is longer than ${max} characters`);

/** A registration as the API takes it: `time` in epoch milliseconds or ISO 8601. */
export const signupRequestSchema = z.object({
  account_id: text('account_id', 200).min(1, 'account_id is empty'),
  time: z.union([z.number().int().nonnegative(), z.string().min(1)], { error: 'time must be epoch milliseconds or an ISO 8601 string' }),
  ip: text('ip', 64).refine((value) => !value.includes(':'), { message: 'IPv6 addresses are not supported yet; send the IPv4 address' })
    .refine((value) => value.includes(':') || parseIpv4(value) >= 0, { message: 'ip is not an IPv4 address like 203.0.113.5' }),
  user_agent: text('user_agent', 1000),
  handle: text('handle', 100).min(1, 'handle is empty'),
  email_domain: text('email_domain', 255),
}, { error: 'the body must be a JSON object with account_id, time, ip, user_agent, handle, email_domain' });

interface InvalidRequest { error: { code: 'INVALID_REQUEST'; message: string; details: { issues: { field: string; message: string }[] } } }

function invalid(message: string, issues: { field: string; message: string }[]): InvalidRequest {
  return { error: { code: 'INVALID_REQUEST', message, details: { issues } } };
}

export const SIGNUP_REQUEST_DEFAULTS = {
  /** The server clock. */
  now: (): number => Date.now(),
  /**
   * How far ahead of the server clock a sign-up's time may be. A time far in the future would move
   * the velocity windows' clock forward, and the counts of every key would be dropped as stale.
   */
  maxAheadMs: 86_400_000,
};

/** Parses a request body; the error names the first bad field. */
export function parseSignupRequest(body: unknown, options: Partial<typeof SIGNUP_REQUEST_DEFAULTS> = {}): { ok: true; value: SignupInput } | { ok: false; error: InvalidRequest } {
  const settings = { ...SIGNUP_REQUEST_DEFAULTS, ...options };
  const parsed = signupRequestSchema.safeParse(body);
  if (!parsed.success) {
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const issues = parsed.error.issues.map((issue) => {
      const field = issue.path.join('.');
      const missing = isObject && field !== '' && !(field in body);
      return { field: field || '(body)', message: missing ? `${field} is missing` : issue.message };
    });
    const first = issues[0] ?? { field: '(body)', message: 'invalid request' };
    return { ok: false, error: invalid(`${first.field}: ${first.message}`, issues) };
  }
  const { time } = parsed.data;
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) return { ok: false, error: invalid(`time: "${String(time)}" is not an ISO 8601 time`, [{ field: 'time', message: 'not an ISO 8601 time' }]) };
  if (ms > settings.now() + settings.maxAheadMs) {
    const message = `${new Date(ms).toISOString()} is more than ${settings.maxAheadMs / 3_600_000} h ahead of the server clock`;
    return { ok: false, error: invalid(`time: ${message}`, [{ field: 'time', message }]) };
  }
  return { ok: true, value: { ...parsed.data, time: ms } };
}

/**
 * The sub-app. Mount it with `app.route('/v1/signups', signupScoreRoutes(scorer))`.
 * @example
 * const res = await signupScoreRoutes(scorer).request('/score', { method: 'POST', body: JSON.stringify(signup), headers: { 'content-type': 'application/json' } });
 */
export function signupScoreRoutes(scorer: SignupScorer, options: Partial<typeof SIGNUP_REQUEST_DEFAULTS> = {}): Hono {
  const app = new Hono();
  app.post('/score', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json(invalid('the body is not JSON', [{ field: '(body)', message: 'not JSON' }]), 400);
    }
    const parsed = parseSignupRequest(body, options);
    if (!parsed.ok) return c.json(parsed.error, 400);
    return c.json(scorer.score(parsed.value));
  });
  return app;
}
