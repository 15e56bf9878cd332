/**
 * Drives a StreamDetector from a source of Jetstream lines: paces a replay (`speed`), re-detects
 * on a short period of event time or wall time, whichever comes first, and hands alerts to the
 * sinks with their latency. Clock and sleep are injected; sources and sinks are the CLI's.
 */
import { ClusterTracker } from './alerts.js';
import type { AlertOptions, StreamAlert } from './alerts.js';
import { StreamDetector } from './detector.js';
import type { StreamOptions, StreamStateSize } from './detector.js';
import { parseJetstreamLine } from './jetstream-line.js';

/** `max` (as fast as possible) or a multiple of real time (1 = as it happened). */
export type ReplaySpeed = number | 'max';

export interface RunnerOptions {
  speed: ReplaySpeed;
  /** Re-detect after this much event time or wall time, ms. */
  everyMs: number;
  detector: Partial<StreamOptions>;
  alerts: Partial<AlertOptions>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const RUNNER_DEFAULTS: Readonly<RunnerOptions> = Object.freeze({
  speed: 'max', everyMs: 5_000, detector: {}, alerts: {},
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});

/** An alert as emitted: when it was raised and how long after the event that completed it arrived. */
export interface EmittedAlert extends StreamAlert {
  /**
   * Wall ms from the arrival of the members' last co-action's event to this alert (null when
   * unknown). A cluster can cross the significance cut with no new event of its own (the
   * trace's activity grows around it, so chance explains its shared keys less well): then this
   * counts the time the evidence took to become significant, not the time the system took.
   */
  latencyMs: number | null;
  /**
   * Wall ms from the arrival of the earliest event the previous detection had not seen to this
   * alert: an upper bound on the delay after the event that completed the cluster, whichever
   * it was (the previous detection, without it, did not raise this alert).
   */
  lagMs: number | null;
}

export interface RunSummary {
  lines: number;
  actions: number;
  events: number;
  rejected: number;
  late: number;
  duplicates: number;
  detections: number;
  alerts: number;
  clusters: number;
  state: StreamStateSize;
  wallMs: number;
}

export interface RunnerSinks {
  alert: (alert: EmittedAlert) => Promise<void> | void;
  reject: (where: string, line: string, reason: string, lineNumber: number) => Promise<void> | void;
  /** After each detection (for progress and state-size reports). */
  detected?: (summary: RunSummary) => void;
}

/** Parses `10x`, `10`, `0.5x` or `max`. */
export function parseSpeed(text: string): ReplaySpeed | null {
  if (text === 'max') return 'max';
  const value = Number(text.endsWith('x') ? text.slice(0, -1) : text);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Arrival wall times of event times, sampled, to tell an alert's latency. */
class ArrivalLog {
  readonly #time: number[] = [];
  readonly #wall: number[] = [];
  note(time: number, wall: number): void {
    if (this.#time.length > 0 && time <= (this.#time[this.#time.length - 1] ?? 0)) return;
    this.#time.push(time);
    this.#wall.push(wall);
    if (this.#time.length > 4_096) {
      this.#time.splice(0, 2_048);
      this.#wall.splice(0, 2_048);
    }
  }
  /** Wall time by which an event at `time` had arrived (the first sample at or after it). */
  arrival(time: number): number | null {
    let lo = 0, hi = this.#time.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#time[mid] ?? 0) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.#time.length ? this.#wall[lo] ?? null : null;
  }
}

/**
 * Runs the stream to its end (a file) or forever (a live source).
 * @example await runStream(lines, 'feed.jsonl', { speed: 10 }, { alert: (a) => console.log(JSON.stringify(a)), reject: () => {} })
 */
export async function runStream(lines: AsyncIterable<string>, where: string, options: Partial<RunnerOptions>, sinks: RunnerSinks): Promise<RunSummary> {
  const opts = { ...RUNNER_DEFAULTS, ...options };
  const detector = new StreamDetector(opts.detector);
  const tracker = new ClusterTracker(opts.alerts);
  const arrivals = new ArrivalLog();
  const started = opts.now();
  const summary: RunSummary = { lines: 0, actions: 0, events: 0, rejected: 0, late: 0, duplicates: 0, detections: 0, alerts: 0, clusters: 0, state: detector.size(), wallMs: 0 };
  let firstTime: number | null = null;
  let lastDetectTime = -Infinity;
  let lastDetectWall = started;

  const detect = async (): Promise<void> => {
    const detection = detector.detect({ accounts: 'linked' });
    summary.detections++;
    summary.clusters = detection.clusters.length;
    const wall = opts.now();
    const unseen = arrivals.arrival(lastDetectTime === -Infinity ? -Infinity : lastDetectTime + 1e-3);
    for (const alert of tracker.update(detection)) {
      const arrived = arrivals.arrival(alert.lastCoAction);
      summary.alerts++;
      await sinks.alert({ ...alert, latencyMs: arrived === null ? null : Math.max(0, wall - arrived), lagMs: unseen === null ? null : Math.max(0, wall - unseen) });
    }
    lastDetectTime = detector.watermark;
    lastDetectWall = opts.now();
    Object.assign(summary, { actions: detector.actions, events: detector.events, late: detector.late, duplicates: detector.duplicates, state: detector.size(), wallMs: opts.now() - started });
    sinks.detected?.(summary);
  };

  for await (const line of lines) {
    summary.lines++;
    if (line.trim() === '') continue;
    const lineNumber = summary.lines;
    // Lines arrive here as strings (a WebSocket, or readline over a replayed file), so they are read
    // by parseJetstreamLine; the byte scanner (byte-front.ts) pays only on raw file chunks, which is
    // what stream-publish reads.
    const parsed = parseJetstreamLine(line, () => `${where}:${lineNumber}`);
    if (parsed.problems.length > 0) {
      summary.rejected++;
      await sinks.reject(where, line, parsed.problems.join('; '), summary.lines);
    }
    for (const action of parsed.actions) {
      if (opts.speed !== 'max') {
        firstTime ??= action.time;
        const due = started + (action.time - firstTime) / opts.speed;
        const wait = due - opts.now();
        if (wait > 1) await opts.sleep(wait);
      }
      detector.push(action);
      arrivals.note(action.time, opts.now());
    }
    const wall = opts.now();
    if (detector.watermark - lastDetectTime >= opts.everyMs || wall - lastDetectWall >= opts.everyMs) await detect();
  }
  detector.flush();
  await detect();
  return summary;
}
