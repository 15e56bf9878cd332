import type { Action } from './action.js';
import type { Actor } from './actor.js';
import type { InfraObservation, IpNetwork } from './infra.js';

/** What a reader yields for one input record: a model value, or a reject that says where and why. */
export type IngestItem =
  | { type: 'actor'; actor: Actor }
  | { type: 'action'; action: Action }
  | { type: 'infra'; infra: InfraObservation }
  | { type: 'network'; network: IpNetwork }
  | { type: 'reject'; reject: Reject };

export interface Reject {
  file: string;
  /** 1-based physical line where the bad record starts. */
  line: number;
  reason: string;
  raw: string;
}
