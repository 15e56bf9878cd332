/** A generated cluster of any size in the API's shape, for UI tests and measurements (not detection output). */
import type { ClusterDetail, Edge, Member, TimelineBucket } from '../api-types.js';

export const SYNTHETIC_CLUSTER_DEFAULTS = { seed: 7, linksPerAccount: 4, communities: 12, traces: ['retweet', 'hashtag', 'url', 'near_duplicate'] };

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `size` accounts in a few communities, each linked to about `linksPerAccount` others (mostly inside its
 * community, as a campaign's cells are), with an hourly timeline over two days.
 */
export function syntheticCluster(id: string, size: number, options: Partial<typeof SYNTHETIC_CLUSTER_DEFAULTS> = {}): ClusterDetail {
  const { seed, linksPerAccount, communities, traces } = { ...SYNTHETIC_CLUSTER_DEFAULTS, ...options };
  const random = rng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const members: Member[] = [];
  for (let index = 0; index < size; index += 1) {
    members.push({ accountId: `acct-${index}`, handle: `user_${index}`, actions: 1 + Math.floor(random() ** 3 * 400), degree: 0, attachment: random() });
  }
  const edges: Edge[] = [];
  const seen = new Set<string>();
  const degree = new Array<number>(size).fill(0);
  for (let index = 0; index < size; index += 1) {
    const community = index % communities;
    for (let link = 0; link < linksPerAccount / 2; link += 1) {
      const other = random() < 0.9
        ? (Math.floor(random() * Math.ceil(size / communities)) * communities + community) % size
        : Math.floor(random() * size);
      if (other === index) continue;
      const key = index < other ? `${index}-${other}` : `${other}-${index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const trace = traces[community % traces.length] ?? 'retweet';
      const weight = 1 + random() * 9;
      const edgeTraces: Record<string, number> = { [trace]: weight };
      if (random() < 0.2) edgeTraces[pick(traces)] = weight / 3;
      edges.push({ source: `acct-${index}`, target: `acct-${other}`, weight, traces: edgeTraces });
      degree[index] = (degree[index] ?? 0) + 1;
      degree[other] = (degree[other] ?? 0) + 1;
    }
  }
  members.forEach((member, index) => { member.degree = degree[index] ?? 0; });
  const start = Date.UTC(2019, 7, 14);
  const timeline: TimelineBucket[] = [];
  for (let hour = 0; hour < 48; hour += 1) {
    for (const trace of traces) {
      const burst = hour % 24 >= 1 && hour % 24 <= 9 ? 1 : 0.1;
      const coActions = Math.round(random() * 50 * burst);
      if (coActions > 0) timeline.push({ time: start + hour * 3_600_000, trace, coActions });
    }
  }
  return {
    id, score: 0.5 + random() / 2, size, traces, topKeys: ['#HongKong', 'example.com/story', 'RT @source'],
    firstTime: start, lastTime: start + 48 * 3_600_000, caseId: null, organic: null,
    members, edges, timeline, evidence: { note: 'generated for UI tests' },
  };
}
