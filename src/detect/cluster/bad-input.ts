import { LockstepError } from '../../model/index.js';

/** The error for a graph, membership or option the clustering code cannot use. */
export function badClusterInput(where: string, reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `cluster: ${where}: ${reason}`);
}
