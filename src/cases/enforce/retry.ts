/**
 * Retries with exponential backoff and full jitter for calls to platforms: 429 and 5xx and
 * network errors are retried (a 429's Retry-After or rate-limit reset is honoured), other
 * answers are final. Clock, sleep and RNG are injected so tests run instantly.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

export const RETRY_DEFAULTS: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

export interface HttpAnswer { status: number; headers: Headers; body: unknown; text: string }

export type AttemptResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null }
  | { kind: 'fatal'; reason: string };

/** When the server says to come back: Retry-After (seconds or a date), or a rate-limit reset header. */
export function retryAfterMs(headers: Headers, now: number): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('ratelimit-reset');
  if (reset !== null) {
    const asNumber = Number(reset);
    // atproto sends epoch seconds; Mastodon an ISO time.
    if (Number.isFinite(asNumber)) return Math.max(0, asNumber > 1e9 ? asNumber * 1000 - now : asNumber * 1000);
    const date = Date.parse(reset);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return null;
}

/** Classifies an HTTP answer: 2xx ok, 429/5xx retry, others final. */
export function classify(answer: HttpAnswer, now: number): AttemptResult<HttpAnswer> {
  if (answer.status >= 200 && answer.status < 300) return { kind: 'ok', value: answer };
  const reason = `HTTP ${answer.status}${answer.text === '' ? '' : `: ${answer.text.slice(0, 200)}`}`;
  if (answer.status === 429 || answer.status >= 500) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(answer.headers, now) };
  return { kind: 'fatal', reason };
}

/** Runs `attempt` until it succeeds, fails finally, or attempts run out. */
export async function withRetries<T>(attempt: () => Promise<AttemptResult<T>>, options: Partial<RetryOptions> = {}): Promise<{ result: AttemptResult<T>; attempts: number }> {
  const settings = { ...RETRY_DEFAULTS, ...options };
  let last: AttemptResult<T> = { kind: 'fatal', reason: 'no attempt made' };
  for (let attempts = 1; attempts <= settings.maxAttempts; attempts++) {
    try {
      last = await attempt();
    } catch (error) {
      last = { kind: 'retry', reason: `network error: ${error instanceof Error ? error.message : String(error)}`, retryAfterMs: null };
    }
    if (last.kind !== 'retry' || attempts === settings.maxAttempts) return { result: last, attempts };
    const backoff = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempts - 1)) * settings.random();
    await settings.sleep(Math.min(settings.maxDelayMs, Math.max(backoff, last.retryAfterMs ?? 0)));
  }
  return { result: last, attempts: settings.maxAttempts };
}

/** One HTTP call, its body read as JSON when it is JSON. */
export async function httpCall(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<HttpAnswer> {
  const response = await fetchImpl(url, init);
  const text = await response.text();
  let body: unknown = null;
  try { body = text === '' ? null : JSON.parse(text) as unknown; } catch { body = null; }
  return { status: response.status, headers: response.headers, body, text };
}
