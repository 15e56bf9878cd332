/**
 * The workspace HTTP app (Hono): JSON API under /v1 (every route from the route list, each
 * checking its role), /openapi.json, the sign-up scorer at /v1/signups when given, and the web
 * UI's static files from dist/web with an index.html fallback. Errors are JSON with stable codes;
 * bodies over the limit get 413, a token over its rate 429 with Retry-After.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { roleAllows } from '../cases/types.js';
import type { Role, User } from '../cases/types.js';
import { bearerToken, hashToken } from './auth.js';
import { ApiError, errorResponse, toErrorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { rateLimiter } from './rate-limit.js';
import type { RateLimiter, RateLimitOptions } from './rate-limit.js';
import { signupFastPath } from './signup-fast-path.js';
import type { SignupAnswer } from './signup-fast-path.js';
import { userCache } from './user-cache.js';
import type { UserCache, UserCacheOptions } from './user-cache.js';
import type { ApiDeps, RouteSpec } from './route-spec.js';
import { adminRoutes } from './routes/admin.js';
import { caseRoutes } from './routes/cases.js';
import { clusterRoutes } from './routes/clusters.js';

/** Every route of the v1 API, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly RouteSpec[] = [...adminRoutes.slice(0, 1), ...clusterRoutes, ...caseRoutes, ...adminRoutes.slice(1)];

export interface AppOptions {
  /** Largest request body, bytes. */
  bodyLimitBytes: number;
  rateLimit: Partial<RateLimitOptions>;
  /**
   * The sign-up scorer's own per-token limit: a registration service scores thousands of sign-ups
   * a second with one token, far above what the investigation routes allow.
   */
  signupRateLimit: Partial<RateLimitOptions>;
  /** Users of tokens are remembered this long (a store query per request cost milliseconds). */
  userCache: Partial<UserCacheOptions>;
  /** Folder of the built web UI; not served when missing. */
  uiDir: string | null;
  /** The sign-up scorer sub-app (src/signals/signup/http.ts), mounted at /v1/signups for investigators. */
  signups: Hono | null;
  /**
   * The same route's answer to a body (`answerSignup`), for the node:http listener's fast path
   * (createApiServer); the app itself never calls it.
   */
  signupAnswer: SignupAnswer | null;
  /** Where unexpected errors are reported (never to the client). */
  logError: (error: unknown) => void;
}

export const APP_DEFAULTS: AppOptions = {
  bodyLimitBytes: 1_000_000, rateLimit: {}, signupRateLimit: { capacity: 20_000, perMinute: 1_200_000 }, userCache: {}, uiDir: null, signups: null, signupAnswer: null,
  logError: (error) => console.error(error),
};

type Env = { Variables: { user: User } };

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : `${where}.${issue.path.join('.')}`;
  throw new ApiError('INVALID_REQUEST', `${field}: ${issue?.message ?? 'invalid'}`, { issues: parsed.error.issues.map((item) => ({ field: [where, ...item.path].join('.'), message: item.message })) });
}

function requireRole(role: Role): MiddlewareHandler<Env> {
  return async (c, next) => {
    const user = c.get('user');
    if (!roleAllows(user.role, role)) return errorResponse(c, 'FORBIDDEN', `${c.req.method} ${c.req.path} needs the ${role} role; ${user.name} is ${user.role}`);
    await next();
    return undefined;
  };
}

async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('INVALID_REQUEST', 'body: not valid JSON');
  }
}

/** What the app and the listener's fast path share: one budget per token, one user cache. */
interface Shared { limiter: RateLimiter; signupLimiter: RateLimiter; users: UserCache }

function shared(deps: ApiDeps, settings: AppOptions): Shared {
  return {
    limiter: rateLimiter(settings.rateLimit),
    signupLimiter: rateLimiter(settings.signupRateLimit),
    users: userCache((tokenHash) => deps.store.userByTokenHash(tokenHash), settings.userCache),
  };
}

export function createApp(deps: ApiDeps, options: Partial<AppOptions> = {}): Hono<Env> {
  const settings = { ...APP_DEFAULTS, ...options };
  return buildApp(deps, settings, shared(deps, settings));
}

/**
 * The app and a node:http listener serving it: `POST /v1/signups/score` from a remembered
 * investigator's token is answered on a fast path (src/server/signup-fast-path.ts) with the app's
 * own limiter and user cache, and the same answer; every other request goes to the app.
 * @example const { listener } = createApiServer(deps, { signups, signupAnswer }); createServer(listener).listen(8080);
 */
export function createApiServer(deps: ApiDeps, options: Partial<AppOptions> = {}): { app: Hono<Env>; listener: RequestListener } {
  const settings = { ...APP_DEFAULTS, ...options };
  const parts = shared(deps, settings);
  const app = buildApp(deps, settings, parts);
  const toApp = getRequestListener(app.fetch);
  const answer = settings.signups === null ? null : settings.signupAnswer;
  const fast = answer === null ? null
    : signupFastPath({ bodyLimitBytes: settings.bodyLimitBytes, limiter: parts.signupLimiter, users: parts.users, answer, logError: settings.logError });
  const listener: RequestListener = (req, res) => {
    if (fast !== null && req.method === 'POST' && req.url === '/v1/signups/score' && fast(req, res)) return;
    void toApp(req, res);
  };
  return { app, listener };
}

function buildApp(deps: ApiDeps, settings: AppOptions, { limiter, signupLimiter, users }: Shared): Hono<Env> {
  const app = new Hono<Env>();
  app.onError((error, c) => {
    if (!(error instanceof ApiError)) settings.logError(error);
    return toErrorResponse(c, error);
  });
  const document = openApiDocument(API_ROUTES, settings.signups === null ? {} : {
    '/v1/signups/score': { post: { operationId: 'scoreSignup', summary: 'Score a sign-up (allow, challenge or block)', 'x-required-role': 'investigator', security: [{ bearer: [] }], responses: { 200: { description: 'OK' } } } },
  });
  app.get('/openapi.json', (c) => c.json(document));
  app.get('/v1/health', (c) => c.json({ ok: true }));

  const tooLarge = (c: Context): Response => errorResponse(c, 'PAYLOAD_TOO_LARGE', `the request body is over ${settings.bodyLimitBytes} bytes`);
  const streamedLimit = bodyLimit({ maxSize: settings.bodyLimitBytes, onError: tooLarge });
  app.use('/v1/*', async (c, next) => {
    // hono's bodyLimit first reads c.req.raw.body, which turns @hono/node-server's light request
    // into a full web Request with a stream (most of a small request's cost, and its body is then
    // read through that stream). Node holds a body to its Content-Length, so that header is enough;
    // only a chunked (or, in tests, length-less) body is counted as it streams.
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > settings.bodyLimitBytes) return tooLarge(c);
      return next();
    }
    return streamedLimit(c, next);
  });
  app.use('/v1/*', async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token === null) return errorResponse(c, 'UNAUTHENTICATED', 'send Authorization: Bearer <token> (lockstep users add NAME --role R prints one)');
    const tokenHash = hashToken(token);
    const retryAfter = (settings.signups !== null && c.req.path.startsWith('/v1/signups/') ? signupLimiter : limiter).take(tokenHash);
    if (retryAfter !== null) {
      c.header('Retry-After', String(retryAfter));
      return errorResponse(c, 'RATE_LIMITED', `too many requests for this token; retry in ${retryAfter} s`);
    }
    const user = await users.get(tokenHash);
    if (user === null) return errorResponse(c, 'UNAUTHENTICATED', 'the token is not known (revoked, or from another database)');
    c.set('user', user);
    await next();
    return undefined;
  });

  for (const route of API_ROUTES) {
    app.on(route.method.toUpperCase(), route.path, requireRole(route.role), async (c) => {
      const body = route.body === null ? undefined : parse(route.body, await readJsonBody(c), 'body');
      const query = route.query === null ? undefined : parse(route.query, c.req.query(), 'query');
      const result = await route.handle({ user: c.get('user'), body, query, params: c.req.param() as Record<string, string>, deps });
      return c.json(result as object, route.status);
    });
  }
  if (settings.signups !== null) {
    app.use('/v1/signups/*', requireRole('investigator'));
    app.route('/v1/signups', settings.signups);
  }
  app.all('/v1/*', (c) => errorResponse(c, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /openapi.json`));

  const uiDir = settings.uiDir;
  if (uiDir !== null && existsSync(join(uiDir, 'index.html'))) {
    app.use('/*', serveStatic({ root: uiDir }));
    // Client-side routes (e.g. /clusters/3) get the app's index.html.
    app.get('/*', async (c) => c.html(await readFile(join(uiDir, 'index.html'), 'utf8')));
  }
  return app;
}
