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

const EMPTY = {};

export const SIGNUP_REQUEST_DEFAULTS = {
  /** The server clock. */
  now: (): number => Date.now(),
  /**
   * How far ahead of the server clock a sign-up's time may be. A time far in the future would move
   * the velocity windows' clock forward, and the counts of every key would be dropped as stale.
   */
  maxAheadMs: 86_400_000,
};

const isText = (value: unknown, min: number, max: number): value is string => typeof value === 'string' && value.length >= min && value.length <= max;

/**
 * The registration when the body is plainly one the schema accepts (the fields' types and lengths,
 * an IPv4 address), without zod's work (most of a request's cost, and its allocations); null
 * sends the body through the schema, which accepts or names the bad field. Never accepts what
 * the schema would refuse (property test in http.test.ts).
 */
export function plainSignup(body: unknown): z.infer<typeof signupRequestSchema> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { account_id: accountId, time, ip, user_agent: userAgent, handle, email_domain: emailDomain } = body as Record<string, unknown>;
  if (!isText(accountId, 1, 200) || !isText(userAgent, 0, 1000) || !isText(handle, 1, 100) || !isText(emailDomain, 0, 255)) return null;
  let when: number | string;
  if (typeof time === 'number' && Number.isSafeInteger(time) && time >= 0) when = time;
  else if (isText(time, 1, Infinity)) when = time;
  else return null;
  if (!isText(ip, 0, 64) || parseIpv4(ip) < 0) return null; // an IPv4 address has no colon
  return { account_id: accountId, time: when, ip, user_agent: userAgent, handle, email_domain: emailDomain };
}

/** Parses a request body; the error names the first bad field. */
export function parseSignupRequest(body: unknown, options: Partial<typeof SIGNUP_REQUEST_DEFAULTS> = EMPTY): { ok: true; value: SignupInput } | { ok: false; error: InvalidRequest } {
  const settings = options === EMPTY ? SIGNUP_REQUEST_DEFAULTS : { ...SIGNUP_REQUEST_DEFAULTS, ...options };
  const plain = plainSignup(body);
  const parsed = plain === null ? signupRequestSchema.safeParse(body) : { success: true as const, data: plain };
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

/** A response as status and JSON text. */
export interface JsonAnswer { status: 200 | 400; body: string }

/**
 * Answers a request body (text) as the route does: the score, or 400 `INVALID_REQUEST` naming the
 * field. What the sub-app and the server's fast path (src/server/app.ts) both answer with.
 */
export function answerSignup(scorer: SignupScorer, text: string, options: Partial<typeof SIGNUP_REQUEST_DEFAULTS> = EMPTY): JsonAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400, body: JSON.stringify(invalid('the body is not JSON', [{ field: '(body)', message: 'not JSON' }])) };
  }
  const parsed = parseSignupRequest(body, options);
  if (!parsed.ok) return { status: 400, body: JSON.stringify(parsed.error) };
  return { status: 200, body: JSON.stringify(scorer.score(parsed.value)) };
}

/**
 * The sub-app. Mount it with `app.route('/v1/signups', signupScoreRoutes(scorer))`.
 * @example
 * const res = await signupScoreRoutes(scorer).request('/score', { method: 'POST', body: JSON.stringify(signup), headers: { 'content-type': 'application/json' } });
 */
export function signupScoreRoutes(scorer: SignupScorer, options: Partial<typeof SIGNUP_REQUEST_DEFAULTS> = {}): Hono {
  const app = new Hono();
  app.post('/score', async (c) => {
    const answer = answerSignup(scorer, await c.req.text(), options);
    return c.body(answer.body, answer.status, { 'content-type': 'application/json' });
  });
  return app;
}
