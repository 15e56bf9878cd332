/**
 * The scorer's state on disk, next to the store: `<db>.signups.json` (or a path of the caller's).
 * Written atomically (temp file, fsync, rename), so a crash leaves the old state or the new one,
 * never a torn file; the write-behind saver writes at most once per interval, so a crash loses at
 * most the last interval of velocity counts. Read back through a zod schema.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { LockstepError } from '../../model/index.js';
import type { KnownInfra } from './known-infra.js';
import { emptyKnownInfra } from './known-infra.js';
import type { ScorerState, ScorerStateParts, SignupScorer } from './scorer.js';

/** Where the state of a store lives. */
export const statePathFor = (db: string): string => `${db}.signups.json`;

const velocityPart = z.object({ keys: z.array(z.string()), buckets: z.array(z.number().nullable()) });
/** One velocity counter: `keys` and `buckets` whole, or (as the write-behind writes them) in `parts`. */
const velocitySchema = z.union([
  velocityPart.extend({ windowMs: z.number().positive() }),
  z.object({ windowMs: z.number().positive(), parts: z.array(velocityPart) }),
]).transform((value) => {
  const parts = 'parts' in value ? value.parts : [value];
  const keys: string[] = [];
  const buckets: number[] = [];
  for (const part of parts) {
    for (const key of part.keys) keys.push(key);
    for (const n of part.buckets) buckets.push(n ?? -Infinity);
  }
  return { windowMs: value.windowMs, keys, buckets };
}).nullable();
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

/** Writes `path` through a temporary file, synced, then renamed over it: a reader sees the old file or the whole new one. */
async function writeAtomically<T>(path: string, write: (handle: FileHandle) => Promise<T>): Promise<T> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  let result: T;
  try {
    result = await write(handle);
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
  return result;
}

/** Writes the state atomically. -Infinity (an empty bucket) is stored as null. */
export async function saveState(path: string, state: ScorerState): Promise<void> {
  await writeAtomically(path, (handle) => handle.writeFile(JSON.stringify(state, (_key, value: unknown) => (value === -Infinity ? null : value))));
}

/** The known infrastructure as JSON, once per object (it changes only when learning). */
const knownJson = new WeakMap<KnownInfra, string>();

/**
 * Writes the state atomically as `saveState` does, but the velocity counts part by part, awaiting
 * the file write between parts: the event loop serves requests in between, so a big state never
 * stalls a server for long. Answers the main-thread time it took (ms).
 */
export async function saveStateInParts(path: string, state: ScorerStateParts): Promise<number> {
  return writeAtomically(path, async (handle) => {
    let busy = 0;
    let started = performance.now();
    const { lastTime } = state.head;
    let known = knownJson.get(state.head.known);
    if (known === undefined) knownJson.set(state.head.known, (known = JSON.stringify(state.head.known)));
    let text = `{"version":1,"known":${known},"lastTime":${JSON.stringify(lastTime)},"domains":{`;
    /** Writes what is gathered, counting the main thread's time up to here (the write waits off it). */
    const writeOut = async (): Promise<void> => {
      busy += performance.now() - started;
      await handle.write(text);
      text = '';
      started = performance.now();
    };
    // The email-domain counts part by part too (an object written a slice of entries at a time).
    let firstDomain = true;
    for (const part of state.domains) {
      for (const [domain, counts] of part) {
        text += `${firstDomain ? '' : ','}${JSON.stringify(domain)}:[${counts[0]},${counts[1]}]`;
        firstDomain = false;
      }
      await writeOut();
    }
    text += '},"velocity":{';
    let firstCounter = true;
    for (const [name, counter] of Object.entries(state.velocity)) {
      text += `${firstCounter ? '' : ','}${JSON.stringify(name)}:{"windowMs":${counter.windowMs},"parts":[`;
      firstCounter = false;
      let firstPart = true;
      for (const part of counter.parts) {
        text += `${firstPart ? '' : ','}{"keys":${JSON.stringify(part.keys)},"buckets":${JSON.stringify(part.buckets)}}`;
        firstPart = false;
        await writeOut();
      }
      text += ']}';
    }
    text += '}}';
    await writeOut();
    return busy;
  });
}

export interface StateSaver {
  /** Writes now if anything changed since the last write. */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  stop(): Promise<void>;
}

export const SAVER_DEFAULTS = {
  /** Shortest time between writes. */
  intervalMs: 1000,
  /** Velocity keys per part: one part's JSON takes well under a millisecond. */
  keysPerPart: 2000,
  /** Share of the main thread writes may take: after a write that took t ms, the next waits t / share. */
  busyShare: 0.02,
  onError: (error: unknown): void => { void error; },
  /** Told the main-thread time of each write (ms). */
  onSaved: (busyMs: number): void => { void busyMs; },
  now: (): number => performance.now(),
};

export type SaverOptions = typeof SAVER_DEFAULTS;

/**
 * Write-behind: every `intervalMs` (longer when the state is big, see `busyShare`), saves the
 * scorer's state if it scored anything since the last save, in parts (saveStateInParts). One write
 * at a time; a failed write is reported to `onError` and retried next tick.
 */
export function stateSaver(scorer: SignupScorer, path: string, options: Partial<SaverOptions> = {}): StateSaver {
  const settings = { ...SAVER_DEFAULTS, ...options };
  let saved = scorer.revision;
  let notBefore = -Infinity;
  let writing: Promise<void> = Promise.resolve();
  const flush = (force: boolean): Promise<void> => {
    writing = writing.then(async () => {
      const revision = scorer.revision;
      if (revision === saved || (!force && settings.now() < notBefore)) return;
      const busy = await saveStateInParts(path, scorer.stateParts(settings.keysPerPart));
      saved = revision;
      settings.onSaved(busy);
      notBefore = settings.now() + Math.max(0, busy / settings.busyShare - settings.intervalMs);
    }).catch((error: unknown) => { settings.onError(error); });
    return writing;
  };
  const timer = setInterval(() => { void flush(false); }, settings.intervalMs);
  timer.unref();
  return {
    flush: () => flush(true),
    stop: async () => { clearInterval(timer); await flush(true); },
  };
}
