/**
 * The one error type of lockstep. `code` is stable (tests and the HTTP layer match on it);
 * `message` says what was wrong, where, and what to do.
 */
export type LockstepErrorCode =
  | 'ingest/bad-row'
  | 'ingest/unreadable'
  | 'ingest/unknown-format'
  | 'ingest/bad-mapping'
  | 'store/failed'
  | 'cli/bad-option'
  | 'detect/bad-input'
  | 'case/not-found'
  | 'case/conflict'
  | 'case/bad-request'
  | 'case/forbidden'
  | 'enforce/failed';

export class LockstepError extends Error {
  readonly code: LockstepErrorCode;
  constructor(code: LockstepErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockstepError';
    this.code = code;
  }
}

export function unreadableInput(file: string, reason: string, cause?: unknown): LockstepError {
  return new LockstepError('ingest/unreadable', `${file}: cannot be read: ${reason}`, { cause });
}

export function unknownFormat(file: string, hint: string): LockstepError {
  return new LockstepError(
    'ingest/unknown-format',
    `${file}: format not recognised (${hint}). Pass --format with one of the formats listed by 'lockstep ingest --help'.`,
  );
}

export function badMapping(reason: string): LockstepError {
  return new LockstepError('ingest/bad-mapping', `--map: ${reason}. Example: --map account=user_id,time=created_at,id=tweet_id`);
}

export function badOption(option: string, reason: string): LockstepError {
  return new LockstepError('cli/bad-option', `${option}: ${reason}`);
}

export function storeFailed(operation: string, cause: unknown): LockstepError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LockstepError('store/failed', `store: ${operation} failed: ${detail}`, { cause });
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
