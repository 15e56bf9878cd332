/**
 * A full garbage collection between stages of `lockstep detect`. Between the read, detection and
 * the reports, V8 leaves the last stage's garbage (hash tables, per-trace tables, row lists) in
 * place until allocation pressure makes it collect, so the next stage's peak stacks on it: at
 * synthetic scale 30 the process held about 350 MB more after detection than a collection leaves.
 * A collection at these few points costs well under a second at 10M events.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export interface CollectOptions {
  /** Below this resident set (bytes) a collection is not worth its time. */
  minRssBytes: number;
}

/**
 * 1.5 GiB: the CooRTweet runs, which are about speed (2.2M rows peak near 400 MB, 10M rows near
 * 1.2 GB), never collect; at 10M CooRTweet rows the three collections cost 0.95 s (--trace-gc)
 * for memory that no limit asked for. Large archives (synthetic scale 100: 2.6 GB after the read)
 * still collect.
 */
export const COLLECT_DEFAULTS: Readonly<CollectOptions> = Object.freeze({ minRssBytes: 1536 * 1024 * 1024 });

/**
 * Collects garbage now if the process is large (the engine's `gc`, exposed on first use); does
 * nothing where it cannot be exposed.
 */
export function collectGarbage(options?: Partial<CollectOptions>): void {
  const { minRssBytes } = { ...COLLECT_DEFAULTS, ...options };
  if (process.memoryUsage.rss() < minRssBytes) return;
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const exposed: unknown = runInNewContext('gc');
      gc = typeof exposed === 'function' ? (exposed as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
