/**
 * The options every lockstep NATS connection is made with (the CLI's commands, stream-publish's
 * threads): reconnect forever, a quarter second apart (a node of the cluster may restart mid-job).
 * `noAsyncTraces`: nats.js would otherwise make an Error, with its stack trace, for every request
 * and publish (to say where a timeout was started) — 17% of the publish path's profile; the
 * publish path alone 0.19-0.28 → 0.15-0.19 CPU-s a bench job (bench/publish-client.mjs
 * --no-async-traces). A failure keeps its message (TIMEOUT, 503, …), and `retry` names the
 * operation that failed.
 */
import type { ConnectionOptions } from 'nats';

export const connectOptions = (servers: string[]): ConnectionOptions => ({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true });
