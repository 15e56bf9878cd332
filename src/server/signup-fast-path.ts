/**
 * The sign-up scorer's hot path in front of the Hono app: `POST /v1/signups/score` from a token
 * whose user is remembered answers straight from node:http, without the web Request/Response
 * objects, routing and middleware the app builds per request (most of a request's cost and its
 * garbage, hence the latency tail). It answers exactly as the app would: the same rate limit
 * (the app's own limiter), the same JSON, status and headers. Anything else — no Content-Length,
 * a chunked or over-limit body, a missing or unknown token, a user not in the cache or without
 * the investigator role — goes to the app untouched, before a byte is read or a token counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { roleAllows } from '../cases/types.js';
import { bearerToken, hashToken } from './auth.js';
import { errorJson } from './errors.js';
import type { RateLimiter } from './rate-limit.js';
import type { UserCache } from './user-cache.js';

/** The route's answer to a body: status and JSON text (src/signals/signup/http.ts `answerSignup`). */
export type SignupAnswer = (text: string) => { status: number; body: string };

export interface SignupFastPathParts {
  bodyLimitBytes: number;
  /** The app's sign-up limiter (shared: a token's budget is one whichever path serves it). */
  limiter: RateLimiter;
  /** The app's user cache (only users it holds are served here). */
  users: UserCache;
  answer: SignupAnswer;
  logError: (error: unknown) => void;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function send(res: ServerResponse, status: number, body: string, extra?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

/**
 * A handler answering true when it took the request, false when it left it to the app (having
 * read and counted nothing).
 * @example
 * const fast = signupFastPath({ bodyLimitBytes, limiter, users, answer: (text) => answerSignup(scorer, text), logError });
 * createServer((req, res) => { if (!(req.method === 'POST' && req.url === '/v1/signups/score' && fast(req, res))) honoListener(req, res); });
 */
export function signupFastPath(parts: SignupFastPathParts): (req: IncomingMessage, res: ServerResponse) => boolean {
  // A registration service sends one token: its hash is kept rather than recomputed per request.
  let lastToken = '';
  let lastHash = '';
  return (req, res) => {
    const headers = req.headers;
    const length = headers['content-length'];
    if (length === undefined || headers['transfer-encoding'] !== undefined || Number.parseInt(length, 10) > parts.bodyLimitBytes) return false;
    const token = bearerToken(headers.authorization);
    if (token === null) return false;
    if (token !== lastToken) {
      lastHash = hashToken(token);
      lastToken = token;
    }
    const tokenHash = lastHash;
    const user = parts.users.peek(tokenHash);
    if (user === null || !roleAllows(user.role, 'investigator')) return false;
    const retryAfter = parts.limiter.take(tokenHash);
    if (retryAfter !== null) {
      req.resume();
      send(res, 429, errorJson('RATE_LIMITED', `too many requests for this token; retry in ${retryAfter} s`), { 'retry-after': String(retryAfter) });
      return true;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => { chunks.push(chunk); });
    req.on('end', () => {
      let answer: { status: number; body: string };
      try {
        const buffer = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        // As the web Request's text() does: a leading byte-order mark is not part of the text.
        const bom = buffer[0] === UTF8_BOM[0] && buffer[1] === UTF8_BOM[1] && buffer[2] === UTF8_BOM[2];
        answer = parts.answer(buffer.toString('utf8', bom ? 3 : 0));
      } catch (error) {
        parts.logError(error);
        answer = { status: 500, body: errorJson('INTERNAL', 'the server failed to answer this request; the server log has the cause') };
      }
      send(res, answer.status, answer.body);
    });
    return true;
  };
}
