/** Who acts: an account, a page or a group, keyed by (platform, id). */
export type ActorKind = 'account' | 'page' | 'group';
export const ACTOR_KINDS: readonly ActorKind[] = ['account', 'page', 'group'];

export interface Actor {
  platform: string;
  /** The id exactly as in the source (for the Information Operations archive, `userid`, possibly hashed). */
  id: string;
  kind: ActorKind;
  handle: string | null;
  displayName: string | null;
  /** Account creation, ms since the epoch (UTC). */
  createdAt: number | null;
  followers: number | null;
  following: number | null;
  language: string | null;
  location: string | null;
  description: string | null;
}

/** An actor with every optional field empty; readers fill what their format has. */
export function bareActor(platform: string, id: string, kind: ActorKind = 'account'): Actor {
  return {
    platform, id, kind,
    handle: null, displayName: null, createdAt: null, followers: null, following: null,
    language: null, location: null, description: null,
  };
}
