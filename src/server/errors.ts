/** Errors as JSON with a stable code: `{ error: { code, message, details? } }` (docs/api-v1.md). */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { LockstepError } from '../model/index.js';

export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_REQUEST' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'RATE_LIMITED' | 'INTERNAL';

const STATUS: Record<ApiErrorCode, ContentfulStatusCode> = {
  UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, INVALID_REQUEST: 400, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, RATE_LIMITED: 429, INTERNAL: 500,
};

export class ApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorBody = (code: ApiErrorCode, message: string, details?: Record<string, unknown>): { error: Record<string, unknown> } =>
  ({ error: { code, message, ...(details === undefined ? {} : { details }) } });

export function errorResponse(c: Context, code: ApiErrorCode, message: string, details?: Record<string, unknown>): Response {
  return c.json(errorBody(code, message, details), STATUS[code]);
}

/** The error's JSON text, as `errorResponse` sends it (for answers written without Hono). */
export function errorJson(code: ApiErrorCode, message: string, details?: Record<string, unknown>): string {
  return JSON.stringify(errorBody(code, message, details));
}

/** Maps any thrown error to the API's error JSON; third-party error text never reaches a client. */
export function toErrorResponse(c: Context, error: unknown): Response {
  if (error instanceof ApiError) return errorResponse(c, error.code, error.message, error.details);
  if (error instanceof LockstepError) {
    switch (error.code) {
      case 'case/not-found': return errorResponse(c, 'NOT_FOUND', error.message);
      case 'case/conflict': return errorResponse(c, 'CONFLICT', error.message);
      case 'case/bad-request': return errorResponse(c, 'INVALID_REQUEST', error.message);
      case 'case/forbidden': return errorResponse(c, 'FORBIDDEN', error.message);
      default: break;
    }
  }
  return errorResponse(c, 'INTERNAL', 'the server failed to answer this request; the server log has the cause');
}
