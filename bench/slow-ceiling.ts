// How far behaviour can go on slow, low-participation campaigns (issue 3, "every campaign style
// recalled at least 0.9"). A member that never acts in a push together with another member is,
// by behaviour, an ordinary account: nothing it does is coordinated. This bench prints, per
// synthetic archive:
// - from the generator's plan (src/synth/campaign-plan.ts, the same seed and scale): the expected
//   share of slow-campaign members that join at least one push, that join at least 1 / 2 / 3
//   pushes together with at least one other member (Binomial over the campaign's pushes with
//   participation p, a mate joining with 1 - (1 - p)^(size - 1));
// - the detector's slow recall (rows of DIR/detect-sS-xX/accounts.csv; score 0 = recruited by
//   account signals, counted apart);
// - with --realised: what the archive itself shows, per slow member, the number of rare objects
//   (at most 100 accounts ever) on which it acted within 15 minutes of another member of its
//   campaign (pooled group-test traces), as a histogram 0/1/2/3+ for members found, members
//   missed whose campaign has a cluster, and members of campaigns with none; then the recall a
//   detector admitting every missed member with at least 1 (2) such objects would reach; and the
//   same with no time condition at all and co-domain added (a rare domain or hashtag shared with a
//   member weeks apart counts).
//
//   node --import tsx bench/slow-ceiling.ts --archives 7x10,1x10,2x10 --data bench/.data/qb [--realised]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioArchiveInputs, readIoArchive } from '../src/cli/detect/io-direct.js';
import type { TraceName } from '../src/detect/traces/trace-names.js';
import { planWorld } from '../src/synth/world.js';
import { archives, dataDir, has, readTruth } from './archive-args.js';
import type { Truth } from './archive-args.js';

const realised = has('realised');
const WINDOW_MS = 15 * 60_000;
const MAX_KEY_ACTORS = 100;
const POOLED: TraceName[] = ['co-repost', 'co-link', 'co-hashtag', 'near-duplicate', 'co-reply'];
const UNTIMED: TraceName[] = [...POOLED, 'co-domain'];
const SLOW = 'slow-low-participation';

function atLeast(n: number, p: number, k: number): number {
  let below = 0;
  let term = Math.pow(1 - p, n);
  for (let i = 0; i < k && i <= n; i++) {
    below += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

function planBounds(seed: number, scale: number): { members: number; joinOne: number; withMate: [number, number, number] } {
  const world = planWorld({ seed, scale });
  let members = 0;
  let joinOne = 0;
  const withMate: [number, number, number] = [0, 0, 0];
  for (const campaign of world.campaigns) {
    if (campaign.style !== SLOW) continue;
    const pushes = campaign.pushes.length;
    const p = campaign.participation;
    const mate = 1 - Math.pow(1 - p, campaign.size - 1);
    members += campaign.size;
    joinOne += campaign.size * atLeast(pushes, p, 1);
    for (let k = 1; k <= 3; k++) withMate[k - 1] += campaign.size * atLeast(pushes, p * mate, k);
  }
  return { members, joinOne: joinOne / members, withMate: withMate.map((v) => v / members) as [number, number, number] };
}


function readFlagged(file: string): Map<string, number> {
  const scores = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/).slice(1)) {
    const [user, , score] = line.split(',');
    if (user !== undefined && user !== '') scores.set(user, Number(score));
  }
  return scores;
}

/**
 * Per account id: rare objects on which it acted within WINDOW_MS of another member of its
 * campaign (`timed`, pooled traces), and rare objects another member of its campaign also used at
 * any time (`untimed`, pooled traces and co-domain).
 */
async function ownPushes(dir: string, truth: Truth): Promise<{ timed: Map<string, number>; untimed: Map<string, number> }> {
  const files = [join(dir, 'tweets.csv'), join(dir, 'users.csv')];
  const options = { rejects: '/dev/null' };
  const inputs = await ioArchiveInputs(files, options);
  if (inputs === null) throw new Error(`${dir}: not an Information Operations archive`);
  const { source } = await readIoArchive(inputs, options);
  const loaded = await source.loadTraces(UNTIMED, { fastRepostMs: 10_000, platforms: [] }, () => {});
  const campaignOf = loaded.actorIds.map((id) => (truth.style.get(id) === SLOW ? truth.campaign.get(id) ?? '' : ''));
  const counts = new Int32Array(loaded.actorIds.length);
  const anyTime = new Int32Array(loaded.actorIds.length);
  for (const [name, data] of loaded.traces) {
    // Events come in (key, time, account) order: one run per key.
    for (let start = 0; start < data.key.length;) {
      let end = start + 1;
      while (end < data.key.length && data.key[end] === data.key[start]) end++;
      const distinct = new Set<number>();
      for (let i = start; i < end; i++) distinct.add(data.actor[i] ?? 0);
      if (distinct.size >= 2 && distinct.size <= MAX_KEY_ACTORS) {
        const perCampaign = new Map<string, number>();
        for (const actor of distinct) {
          const campaign = campaignOf[actor] ?? '';
          if (campaign !== '') perCampaign.set(campaign, (perCampaign.get(campaign) ?? 0) + 1);
        }
        for (const actor of distinct) if ((perCampaign.get(campaignOf[actor] ?? '') ?? 0) >= 2) anyTime[actor]!++;
      }
      if (distinct.size >= 2 && distinct.size <= MAX_KEY_ACTORS && name !== 'co-domain') {
        const hit = new Set<number>();
        for (let i = start; i < end; i++) {
          const actor = data.actor[i] ?? 0;
          const campaign = campaignOf[actor] ?? '';
          if (campaign === '' || hit.has(actor)) continue;
          for (let j = start; j < end; j++) {
            const other = data.actor[j] ?? 0;
            if (other !== actor && campaignOf[other] === campaign && Math.abs((data.time[j] ?? 0) - (data.time[i] ?? 0)) <= WINDOW_MS) {
              hit.add(actor);
              break;
            }
          }
        }
        for (const actor of hit) counts[actor]!++;
      }
      start = end;
    }
  }
  await source.close();
  return {
    timed: new Map(loaded.actorIds.map((id, actor) => [id, counts[actor] ?? 0])),
    untimed: new Map(loaded.actorIds.map((id, actor) => [id, anyTime[actor] ?? 0])),
  };
}

console.log('archive\tslow\tfound(behaviour+recruits)\trecall\tplan: joins>=1 push\twith a mate >=1\t>=2\t>=3');
for (const [seed, scale] of archives) {
  const dir = join(dataDir, `s${seed}-x${scale}`);
  const truth = readTruth(join(dir, 'truth.csv'));
  const flagged = readFlagged(join(dataDir, `detect-s${seed}-x${scale}`, 'accounts.csv'));
  const slow = [...truth.style].filter(([, style]) => style === SLOW).map(([id]) => id);
  const behaviour = slow.filter((id) => (flagged.get(id) ?? 0) > 0).length;
  const recruits = slow.filter((id) => flagged.get(id) === 0).length;
  const bounds = planBounds(seed, scale);
  const f = (value: number): string => value.toFixed(3);
  console.log([`s${seed}-x${scale}`, slow.length, `${behaviour}+${recruits}`, f((behaviour + recruits) / slow.length), f(bounds.joinOne), ...bounds.withMate.map(f)].join('\t'));
  if (!realised) continue;
  const { timed: pushes, untimed } = await ownPushes(dir, truth);
  const found = new Set(slow.filter((id) => flagged.has(id)));
  const detectedCampaigns = new Set([...found].map((id) => truth.campaign.get(id)));
  const histogram = (ids: readonly string[]): string => {
    const bins = [0, 0, 0, 0];
    for (const id of ids) bins[Math.min(3, pushes.get(id) ?? 0)]!++;
    return bins.join('/');
  };
  const missed = slow.filter((id) => !found.has(id));
  const inDetected = missed.filter((id) => detectedCampaigns.has(truth.campaign.get(id)));
  const inUndetected = missed.filter((id) => !detectedCampaigns.has(truth.campaign.get(id)));
  const reach = (k: number, counts = pushes): string => f((found.size + missed.filter((id) => (counts.get(id) ?? 0) >= k).length) / slow.length);
  console.log(`  realised rare own pushes 0/1/2/3+: found ${histogram([...found])}; missed, campaign has a cluster ${histogram(inDetected)}; missed, campaign has none ${histogram(inUndetected)}`);
  console.log(`  recall if every missed member with >=1 such push were admitted ${reach(1)}, with >=2 ${reach(2)}`);
  console.log(`  untimed (+ co-domain): recall if every missed member sharing >=1 rare object with a member were admitted ${reach(1, untimed)}, >=2 ${reach(2, untimed)}`);
}
