/** What every view is handed: the API client, who is signed in, and how to move on. */
import type { ApiClient } from './api-client.js';
import type { Me } from './api-types.js';

export interface AppContext {
  api: ApiClient;
  me: Me;
  /** Goes to a hash route, e.g. `#/clusters/c1`. */
  navigate(hash: string): void;
}

/** A view draws into `root` and may hand back a cleanup (sigma instances, workers, timers). */
export type Cleanup = () => void;
export type View = (root: HTMLElement, context: AppContext, params: Record<string, string>) => Promise<Cleanup | void>;

const ROLE_RANK = { viewer: 0, reviewer: 1, investigator: 2, admin: 3 } as const;

/** Whether the signed-in role includes `role`'s rights (docs/api-v1.md: admin > investigator > reviewer > viewer). */
export function can(context: AppContext, role: keyof typeof ROLE_RANK): boolean {
  return ROLE_RANK[context.me.role] >= ROLE_RANK[role];
}
