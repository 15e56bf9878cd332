/**
 * The scorer's state on disk, next to the store: `<db>.signups.json` (or a path of the caller's).
 * Written atomically (temp file, fsync, rename), so a crash leaves the old state or the new one,
 * never a torn file; the write-behind saver writes at most once per interval, so a crash loses at
 * most the last interval of velocity counts. Read back through a zod schema.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { LockstepError } from '../../model/index.js';
import type { KnownInfra } from './known-infra.js';
import { emptyKnownInfra } from './known-infra.js';
import type { ScorerState, SignupScorer } from './scorer.js';

/** Where the state of a store lives. */
export const statePathFor = (db: string): string => `${db}.signups.json`;

const velocitySchema = z.object({ windowMs: z.number().positive(), keys: z.array(z.string()), buckets: z.array(z.number().nullable()) })
  .transform((value) => ({ ...value, buckets: value.buckets.map((n) => n ?? -Infinity) })).nullable();
const knownSchema = z.object({
  version: z.literal(1),
  sources: z.array(z.string()),
  ips: z.record(z.string(), z.object({ accounts: z.number(), logins: z.number(), anonymising: z.boolean(), cidr: z.string().nullable(), country: z.string().nullable(), clusters: z.array(z.string()) })),
  networks: z.record(z.string(), z.object({ accounts: z.number(), anonymising: z.boolean(), asn: z.number().nullable(), org: z.string().nullable(), country: z.string().nullable() })),
  asns: z.record(z.string(), z.object({ accounts: z.number(), anonymising: z.boolean(), org: z.string().nullable() })),
  userAgents: z.record(z.string(), z.object({ accounts: z.number(), lift: z.number() })),
  templates: z.record(z.string(), z.number()),
});
const stateSchema = z.object({
  version: z.literal(1),
  known: knownSchema,
  velocity: z.object({ ip: velocitySchema, network: velocitySchema, template: velocitySchema, exitTemplate: velocitySchema.optional() }),
  domains: z.record(z.string(), z.tuple([z.number(), z.number()])),
  lastTime: z.number(),
});

function badState(path: string, reason: string): LockstepError {
  return new LockstepError('ingest/unreadable', `${path}: sign-up state cannot be read: ${reason}. Move it aside and run 'lockstep signups learn' again.`);
}

/** The state in `path`, or null when there is none yet. A damaged file is an error, never silently reset. */
export async function loadState(path: string): Promise<ScorerState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw badState(path, error instanceof Error ? error.message : String(error));
  }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch { throw badState(path, 'not JSON'); }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) throw badState(path, parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return parsed.data as ScorerState;
}

/** The known infrastructure of a saved state, or an empty one. */
export const knownOf = (state: ScorerState | null): KnownInfra => state?.known ?? emptyKnownInfra();

/** Writes the state atomically. -Infinity (an empty bucket) is stored as null. */
export async function saveState(path: string, state: ScorerState): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(state, (_key, value: unknown) => (value === -Infinity ? null : value)));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface StateSaver {
  /** Writes now if anything changed since the last write. */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  stop(): Promise<void>;
}

/**
 * Write-behind: every `intervalMs`, saves the scorer's state if it scored anything since the last
 * save. One write at a time; a failed write is reported to `onError` and retried next tick.
 */
export function stateSaver(scorer: SignupScorer, path: string, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): StateSaver {
  let saved = scorer.revision;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      const revision = scorer.revision;
      if (revision === saved) return;
      await saveState(path, scorer.state());
      saved = revision;
    }).catch((error: unknown) => { (options.onError ?? (() => undefined))(error); });
    return writing;
  };
  const timer = setInterval(() => { void flush(); }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    flush,
    stop: async () => { clearInterval(timer); await flush(); },
  };
}
