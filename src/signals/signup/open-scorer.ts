/**
 * The online scorer as a server runs it: state restored from the state file, saved behind every
 * second while serving, and once more on close. What `lockstep serve` mounts at `/v1/signups`.
 */
import type { IpLookup } from '../ip-table.js';
import type { KnownInfra } from './known-infra.js';
import { createSignupScorer } from './scorer.js';
import type { ScorerOptions, SignupScorer } from './scorer.js';
import { knownOf, loadState, stateSaver } from './state-file.js';
import type { SaverOptions } from './state-file.js';

export interface OpenScorer {
  scorer: SignupScorer;
  /** Saves now if anything was scored since the last save. */
  flush(): Promise<void>;
  /** Stops the write-behind timer and saves. */
  close(): Promise<void>;
}

/**
 * @example
 * const { scorer, close } = await openSignupScorer(statePathFor(db), (await loadIpTableFromStore(store.connection, db)).lookup);
 * app.route('/v1/signups', signupScoreRoutes(scorer)); // ... on shutdown: await close();
 */
export async function openSignupScorer(statePath: string, lookup: IpLookup, options: Partial<SaverOptions> & { scorer?: Partial<ScorerOptions>; learn?: (saved: KnownInfra) => Promise<KnownInfra> } = {}): Promise<OpenScorer> {
  const state = await loadState(statePath);
  // `learn` adds to the file's known infrastructure (e.g. a new detection run's clusters).
  const { scorer: scorerOptions, learn, ...saverOptions } = options;
  const known = learn === undefined ? knownOf(state) : await learn(knownOf(state));
  const scorer = createSignupScorer(known, lookup, state, scorerOptions);
  const saver = stateSaver(scorer, statePath, saverOptions);
  return { scorer, flush: saver.flush, close: saver.stop };
}
