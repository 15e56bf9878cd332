/** What an actor did, keyed by (platform, id). Times are ms since the epoch, UTC. */
export type ActionKind = 'post' | 'repost' | 'reply' | 'quote' | 'like' | 'follow' | 'join' | 'share';
export const ACTION_KINDS: readonly ActionKind[] = ['post', 'repost', 'reply', 'quote', 'like', 'follow', 'join', 'share'];

export interface Action {
  platform: string;
  id: string;
  actorId: string;
  kind: ActionKind;
  time: number;
  /** The post this action reposts, quotes, replies to or likes. */
  targetPost: string | null;
  /** The author of targetPost, or the followed actor. */
  targetActor: string | null;
  text: string | null;
  language: string | null;
  /** Normalised (see normalizeUrl); never contains an empty string. */
  urls: string[];
  /** Normalised (see normalizeHashtag), in the order they appear. */
  hashtags: string[];
  mentions: string[];
  mediaHashes: string[];
  clientApp: string | null;
}

export function bareAction(platform: string, id: string, actorId: string, kind: ActionKind, time: number): Action {
  return {
    platform, id, actorId, kind, time,
    targetPost: null, targetActor: null, text: null, language: null,
    urls: [], hashtags: [], mentions: [], mediaHashes: [], clientApp: null,
  };
}
