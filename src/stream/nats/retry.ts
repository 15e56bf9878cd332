/**
 * Retrying NATS operations through leader elections and node loss, in a module of its own so that
 * a publisher thread (publish-batches.ts) need not load jobs.ts's worker and storage code.
 */
import { LockstepError } from '../../model/index.js';

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries an operation through leader elections and node loss (the cluster keeps quorum). A
 * LockstepError (bad input, a job already collected) is final and is thrown at once.
 */
export async function retry<T>(what: string, operation: () => Promise<T>, attempts = 30): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof LockstepError) throw error;
      last = error;
      await pause(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}
