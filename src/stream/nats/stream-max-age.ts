/**
 * A lockstep stream with a max age: created with it if missing, given it if it has none (streams
 * made before lockstep set one kept everything for ever). Shared by the events stream
 * (events-retention.ts) and the partials stream (partial-store.ts).
 */
import { nanos } from 'nats';
import type { NatsConnection, StreamConfig, StreamInfo } from 'nats';

/**
 * `config` is the stream as created (name, subjects, replicas…); the max age is `maxAgeMs` and
 * the deduplication window `duplicateWindowMs` or the max age if shorter (the servers ask that
 * it fit). A max age the operator chose (`chosen`) replaces a different one; a default never
 * replaces an existing limit, so a worker or a later publish left at the default does not cut a
 * stream kept for 7 days down to one (the servers would drop the older messages at once).
 */
export async function ensureStreamMaxAge(nc: NatsConnection, config: Partial<StreamConfig> & { name: string }, maxAgeMs: number, duplicateWindowMs: number, chosen: boolean): Promise<void> {
  const jsm = await nc.jetstreamManager();
  let info: StreamInfo | null;
  try {
    info = await jsm.streams.info(config.name);
  } catch {
    info = null;
  }
  const retention = { max_age: nanos(maxAgeMs), duplicate_window: nanos(Math.min(maxAgeMs, duplicateWindowMs)) };
  if (info === null) await jsm.streams.add({ ...config, ...retention });
  else if (info.config.max_age !== retention.max_age && (chosen || info.config.max_age === 0)) await jsm.streams.update(config.name, { ...info.config, ...retention });
}
