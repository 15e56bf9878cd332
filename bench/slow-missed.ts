// Where the missed members of slow, low-participation campaigns stand (issue 3), and what a wider
// window would cost. Per synthetic archive (DIR/sS-xX with its detect output DIR/detect-sS-xX):
// - each missed slow member's closest meeting with a member of its own campaign on a rare object
//   (at most 100 accounts over the whole archive, pooled group-test traces): within 15 min / 1 h /
//   6 h / 24 h / at all / never; apart for members whose campaign has a flagged cluster and those
//   whose campaign has none;
// - the precision risk of each window: account pairs meeting on at least 1 and 2 rare objects of at
//   most K accounts within it, split into same-campaign, campaign-other and organic pairs;
// - account signals: the share of missed members created within 7 days of a mate's creation, with
//   their campaign's dominant client, and the share of organic accounts created within 7 days of some
//   other account of that client (what such a signal costs).
//
//   node --import tsx bench/slow-missed.ts --archives 7x10,2x10 --data bench/.data/qf
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioArchiveInputs, readIoArchive } from '../src/cli/detect/io-direct.js';
import type { TraceName } from '../src/detect/traces/trace-names.js';
import { archives, dataDir, flag, readTruth } from './archive-args.js';

const POOLED: TraceName[] = ['co-repost', 'co-link', 'co-hashtag', 'near-duplicate', 'co-reply'];
const SLOW = 'slow-low-participation';
const GAPS = [15 * 60_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000, Infinity];
const GAP_NAMES = ['15m', '1h', '6h', '24h', 'any'];
const maxKeyActors = Number(flag('max-key-actors', '100'));
const pairKeyActors = Number(flag('pair-key-actors', '20'));


function readFlagged(file: string): Set<string> {
  return new Set(readFileSync(file, 'utf8').split(/\r?\n/).slice(1).map((line) => line.split(',')[0] ?? '').filter((id) => id !== ''));
}

for (const [seed, scale] of archives) {
  const dir = join(dataDir, `s${seed}-x${scale}`);
  const truth = readTruth(join(dir, 'truth.csv'));
  const flagged = readFlagged(join(dataDir, `detect-s${seed}-x${scale}`, 'accounts.csv'));
  const options = { rejects: '/dev/null' };
  const inputs = await ioArchiveInputs([join(dir, 'tweets.csv'), join(dir, 'users.csv')], options);
  if (inputs === null) throw new Error(`${dir}: not an archive`);
  const { source } = await readIoArchive(inputs, options);
  const loaded = await source.loadTraces(POOLED, { fastRepostMs: 10_000, platforms: [] }, () => {});
  const ids = loaded.actorIds;
  const n = ids.length;
  const campaignOf = ids.map((id) => truth.campaign.get(id) ?? '');
  const slowOf = ids.map((id) => truth.style.get(id) === SLOW);
  // Per actor: the closest gap to a campaign mate on a rare object.
  const bestGap = new Float64Array(n).fill(Number.NaN);
  // Pairs meeting on rare objects (<= pairKeyActors) within each gap: key "a,b" -> count per gap index.
  const pairCounts = GAPS.map(() => new Map<number, number>());
  for (const [, data] of loaded.traces) {
    for (let start = 0; start < data.key.length;) {
      let end = start + 1;
      while (end < data.key.length && data.key[end] === data.key[start]) end++;
      const firstTime = new Map<number, number[]>();
      for (let i = start; i < end; i++) {
        const actor = data.actor[i] ?? 0;
        let times = firstTime.get(actor);
        if (times === undefined) firstTime.set(actor, (times = []));
        times.push(data.time[i] ?? 0);
      }
      const actors = [...firstTime.keys()];
      if (actors.length >= 2 && actors.length <= maxKeyActors) {
        const closest = (x: number, y: number): number => {
          let best = Infinity;
          for (const s of firstTime.get(x) ?? []) for (const t of firstTime.get(y) ?? []) best = Math.min(best, Math.abs(s - t));
          return best;
        };
        for (const x of actors) {
          if (!slowOf[x]) continue;
          for (const y of actors) {
            if (y === x || campaignOf[y] !== campaignOf[x]) continue;
            const gap = closest(x, y);
            if (!(gap >= (bestGap[x] ?? Infinity))) bestGap[x] = gap;
          }
        }
        if (actors.length <= pairKeyActors) {
          for (let i = 0; i < actors.length; i++) {
            for (let j = i + 1; j < actors.length; j++) {
              const x = Math.min(actors[i]!, actors[j]!);
              const y = Math.max(actors[i]!, actors[j]!);
              const gap = closest(x, y);
              GAPS.forEach((limit, g) => {
                if (gap <= limit) pairCounts[g]!.set(x * n + y, (pairCounts[g]!.get(x * n + y) ?? 0) + 1);
              });
            }
          }
        }
      }
      start = end;
    }
  }
  const slow = ids.flatMap((id, actor) => (slowOf[actor] ? [actor] : []));
  const found = slow.filter((actor) => flagged.has(ids[actor]!));
  const withCluster = new Set(found.map((actor) => campaignOf[actor]));
  const missed = slow.filter((actor) => !flagged.has(ids[actor]!));
  const bins = (actors: number[]): string => {
    const counts = new Array<number>(GAPS.length + 1).fill(0);
    for (const actor of actors) {
      const gap = bestGap[actor] ?? Number.NaN;
      const g = Number.isNaN(gap) ? GAPS.length : GAPS.findIndex((limit) => gap <= limit);
      counts[g]!++;
    }
    return counts.map((count, g) => `${g < GAP_NAMES.length ? GAP_NAMES[g] : 'never'} ${count}`).join(', ');
  };
  console.log(`s${seed}-x${scale}: slow ${slow.length}, found ${found.length} (${(found.length / slow.length).toFixed(3)}), missed ${missed.length}`);
  console.log(`  missed, campaign has a cluster (${missed.filter((a) => withCluster.has(campaignOf[a])).length}): closest rare meeting with a mate ${bins(missed.filter((a) => withCluster.has(campaignOf[a])))}`);
  console.log(`  missed, campaign has none (${missed.filter((a) => !withCluster.has(campaignOf[a])).length}): ${bins(missed.filter((a) => !withCluster.has(campaignOf[a])))}`);
  console.log(`  found: ${bins(found)}`);
  const undetected = new Map<string, { size: number; missed: number }>();
  for (const actor of slow) {
    const campaign = campaignOf[actor]!;
    if (withCluster.has(campaign)) continue;
    const entry = undetected.get(campaign) ?? { size: 0, missed: 0 };
    entry.size++;
    undetected.set(campaign, entry);
  }
  console.log(`  slow campaigns with no cluster: ${[...undetected].map(([campaign, entry]) => `${campaign}(${entry.size})`).join(' ')}`);
  for (let g = 0; g < GAPS.length; g++) {
    const kinds = { same: [0, 0], cross: [0, 0], organic: [0, 0] };
    for (const [pair, count] of pairCounts[g]!) {
      const x = Math.floor(pair / n);
      const y = pair % n;
      const kind = campaignOf[x] !== '' && campaignOf[x] === campaignOf[y] ? 'same' : campaignOf[x] !== '' || campaignOf[y] !== '' ? 'cross' : 'organic';
      kinds[kind][0]!++;
      if (count >= 2) kinds[kind][1]!++;
    }
    console.log(`  pairs on objects of <=${pairKeyActors} accounts within ${GAP_NAMES[g]}: >=1 / >=2 objects: same campaign ${kinds.same.join(' / ')}, campaign-other ${kinds.cross.join(' / ')}, organic ${kinds.organic.join(' / ')}`);
  }
  const facts = source.accountFacts === undefined ? null : await source.accountFacts(ids);
  if (facts !== null) {
    const mateBurst = (actor: number): boolean => {
      const day = facts.createdDay[actor] ?? Number.NaN;
      return slow.some((other) => other !== actor && campaignOf[other] === campaignOf[actor] && Math.abs((facts.createdDay[other] ?? Number.NaN) - day) <= 7);
    };
    const sameClient = (actor: number): boolean => {
      const counts = new Map<number, number>();
      for (const other of slow) if (other !== actor && campaignOf[other] === campaignOf[actor]) counts.set(facts.client[other] ?? -1, (counts.get(facts.client[other] ?? -1) ?? 0) + 1);
      const top = [...counts].sort((p, q) => q[1] - p[1])[0];
      return top !== undefined && top[0] === facts.client[actor];
    };
    const sameTemplate = (actor: number): boolean => (facts.template[actor] ?? -1) >= 0 && slow.some((other) => other !== actor && campaignOf[other] === campaignOf[actor] && facts.template[other] === facts.template[actor]);
    const share = (actors: number[], test: (actor: number) => boolean): string => `${actors.filter(test).length}/${actors.length}`;
    console.log(`  missed: created within 7 days of a mate ${share(missed, mateBurst)}, campaign's top client ${share(missed, sameClient)}, a mate's handle template ${share(missed, sameTemplate)}, all three ${share(missed, (a) => mateBurst(a) && sameClient(a) && sameTemplate(a))}, burst+client ${share(missed, (a) => mateBurst(a) && sameClient(a))}`);
    console.log(`  found:  created within 7 days of a mate ${share(found, mateBurst)}, top client ${share(found, sameClient)}, template ${share(found, sameTemplate)}`);
    // Identity alone (no behaviour): per flagged cluster, the unflagged accounts created in its core's
    // densest 7-day window with its dominant client, by truth: what a recruitment without a tie would take.
    const clusterOfId = new Map<string, string>();
    for (const line of readFileSync(join(dataDir, `detect-s${seed}-x${scale}`, 'accounts.csv'), 'utf8').split(/\r?\n/).slice(1)) {
      const [id, cluster, score] = line.split(',');
      if (id !== undefined && id !== '' && Number(score) > 0) clusterOfId.set(id, cluster ?? '');
    }
    const cores = new Map<string, number[]>();
    ids.forEach((id, actor) => { const c = clusterOfId.get(id); if (c !== undefined) cores.set(c, [...(cores.get(c) ?? []), actor]); });
    const tally = { mate: 0, otherCampaign: 0, organic: 0, slowMate: 0 };
    for (const [, core] of cores) {
      if (core.length < 5) continue;
      const days = core.map((m) => facts.createdDay[m] ?? Number.NaN).filter(Number.isFinite).sort((x, y) => x - y);
      let best = { from: 0, count: 0 };
      for (let lo = 0, hi = 0; hi < days.length; hi++) {
        while (days[hi]! - days[lo]! >= 7) lo++;
        if (hi - lo + 1 > best.count) best = { from: days[lo]!, count: hi - lo + 1 };
      }
      if (best.count < 0.5 * core.length) continue;
      const clients = new Map<number, number>();
      for (const m of core) clients.set(facts.client[m] ?? -1, (clients.get(facts.client[m] ?? -1) ?? 0) + 1);
      const top = [...clients].sort((p, q) => q[1] - p[1])[0]![0];
      const majority = new Map<string, number>();
      for (const m of core) majority.set(campaignOf[m]!, (majority.get(campaignOf[m]!) ?? 0) + 1);
      const own = [...majority].sort((p, q) => q[1] - p[1])[0]![0];
      for (let a = 0; a < n; a++) {
        if (flagged.has(ids[a]!)) continue;
        const day = facts.createdDay[a] ?? Number.NaN;
        if (!(day >= best.from && day < best.from + 7) || facts.client[a] !== top) continue;
        if (campaignOf[a] === own && own !== '') { tally.mate++; if (slowOf[a]) tally.slowMate++; } else if (campaignOf[a] !== '') tally.otherCampaign++; else tally.organic++;
      }
    }
    console.log(`  identity only (burst 7 d + client) around flagged clusters: own campaign ${tally.mate} (slow ${tally.slowMate}), other campaign ${tally.otherCampaign}, organic ${tally.organic}`);
  }
  await source.close();
}
