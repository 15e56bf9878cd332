/**
 * A lockstep stream with a max age: created with it if missing, updated to it if its max age
 * differs (streams made before lockstep set one kept everything for ever). Shared by the events
 * stream (events-retention.ts) and the partials stream (partial-store.ts).
 */
import { nanos } from 'nats';
import type { NatsConnection, StreamConfig, StreamInfo } from 'nats';

/**
 * `config` is the stream as created (name, subjects, replicas…); the max age is `maxAgeMs` and
 * the deduplication window `duplicateWindowMs` or the max age if shorter (the servers ask that
 * it fit). Messages already older than a shortened max age are dropped by the servers.
 */
export async function ensureStreamMaxAge(nc: NatsConnection, config: Partial<StreamConfig> & { name: string }, maxAgeMs: number, duplicateWindowMs: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  let info: StreamInfo | null;
  try {
    info = await jsm.streams.info(config.name);
  } catch {
    info = null;
  }
  const retention = { max_age: nanos(maxAgeMs), duplicate_window: nanos(Math.min(maxAgeMs, duplicateWindowMs)) };
  if (info === null) await jsm.streams.add({ ...config, ...retention });
  else if (info.config.max_age !== retention.max_age) await jsm.streams.update(config.name, { ...info.config, ...retention });
}
