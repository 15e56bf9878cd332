/**
 * API tokens: random 32 bytes (base64url, prefixed `lst_`) printed once; only their SHA-256 is
 * stored. A request's bearer token is hashed and looked up; the route's role is checked against
 * the user's (admin > investigator > reviewer > viewer).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WorkspaceStore } from '../cases/port.js';
import type { Role, User } from '../cases/types.js';

export function newToken(random: (size: number) => Buffer = randomBytes): string {
  return `lst_${random(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The bearer token of an Authorization header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Creates a user with a fresh token; returns the token (shown once, never stored). */
export async function addUser(store: WorkspaceStore, input: { name: string; role: Role; now: number }): Promise<{ user: User; token: string }> {
  const token = newToken();
  const user: User = { name: input.name, role: input.role, createdAt: input.now };
  await store.addUser({ ...user, tokenHash: hashToken(token) });
  return { user, token };
}
