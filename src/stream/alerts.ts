/**
 * Alerts from successive detections: a cluster that appears, or one that grows past a threshold
 * since it was last reported. Clusters get stable ids across detections (Leiden's numbering is
 * not stable) by matching each new cluster to the tracked one it shares most members with.
 */
import type { StreamDetection } from './detector.js';
import type { StreamTrace } from './extract.js';

export interface AlertOptions {
  /** A cluster is reported once it has at least this many members. */
  minMembers: number;
  /** A reported cluster is reported again when it has this many members more than last time. */
  growBy: number;
  /** A tracked cluster matches a new one sharing at least this share of the smaller's members. */
  minOverlap: number;
}

export const ALERT_DEFAULTS: Readonly<AlertOptions> = Object.freeze({ minMembers: 3, growBy: 2, minOverlap: 0.5 });

export interface StreamAlert {
  type: 'cluster-appeared' | 'cluster-grew';
  /** Stable id of the cluster across detections, `S1`, `S2`… */
  cluster: string;
  /** Account ids (as in the input), most attached first. */
  members: string[];
  /** Members not in the last alert about this cluster (all of them when it appeared). */
  newMembers: string[];
  previousSize: number;
  score: number;
  density: number;
  traces: { trace: string; edges: number }[];
  topKeys: { trace: StreamTrace; key: string; pairs: number }[];
  /** Event times (ms) of the first and last co-action among the members still in the window. */
  firstCoAction: number;
  lastCoAction: number;
  /** Event time the detection reflects. */
  watermark: number;
}

interface Tracked {
  id: string;
  members: Set<string>;
  reportedSize: number;
}

/** Follows clusters across detections and says which to report. */
export class ClusterTracker {
  readonly #options: AlertOptions;
  #tracked: Tracked[] = [];
  #next = 1;

  constructor(options?: Partial<AlertOptions>) {
    this.#options = { ...ALERT_DEFAULTS, ...options };
  }

  /**
   * The alerts a new detection raises; tracked clusters absent from it are kept (a cluster that
   * flickers out for one detection and back is not new).
   * @example for (const alert of tracker.update(detector.detect())) console.log(JSON.stringify(alert));
   */
  update(detection: StreamDetection): StreamAlert[] {
    const alerts: StreamAlert[] = [];
    const taken = new Set<Tracked>();
    detection.clusters.forEach((cluster, index) => {
      const members = cluster.members.map((member) => detection.actorIds[member] ?? '');
      let best: Tracked | null = null;
      let bestOverlap = 0;
      for (const tracked of this.#tracked) {
        if (taken.has(tracked)) continue;
        let overlap = 0;
        for (const member of members) if (tracked.members.has(member)) overlap++;
        if (overlap > bestOverlap && overlap >= this.#options.minOverlap * Math.min(members.length, tracked.members.size)) {
          best = tracked;
          bestOverlap = overlap;
        }
      }
      let type: StreamAlert['type'] | null = null;
      let previous = new Set<string>();
      let previousSize = 0;
      if (best === null) {
        best = { id: `S${this.#next++}`, members: new Set(members), reportedSize: 0 };
        this.#tracked.push(best);
        if (members.length >= this.#options.minMembers) type = 'cluster-appeared';
      } else {
        previous = best.members;
        previousSize = best.reportedSize;
        if (best.reportedSize === 0 && members.length >= this.#options.minMembers) type = 'cluster-appeared';
        else if (best.reportedSize > 0 && members.length >= best.reportedSize + this.#options.growBy) type = 'cluster-grew';
      }
      taken.add(best);
      if (type === null) {
        for (const member of members) best.members.add(member);
        return;
      }
      const span = detection.span[index] ?? { first: NaN, last: NaN };
      alerts.push({
        type, cluster: best.id, members, newMembers: members.filter((member) => !previous.has(member) || type === 'cluster-appeared'),
        previousSize, score: cluster.score, density: cluster.density, traces: cluster.traces,
        topKeys: detection.topKeys[index] ?? [], firstCoAction: span.first, lastCoAction: span.last, watermark: detection.watermark,
      });
      best.members = new Set(members);
      best.reportedSize = members.length;
    });
    return alerts;
  }
}
