// Who joins a flagged cluster's exclusive pushes, and which test would admit them (issue 3, slow
// campaigns). Reads a synthetic archive and the detector's outputs for it (DIR/detect-sS-xX/
// accounts.csv: behaviour members score > 0 make the clusters, recruits by account signals are left
// out, the run's push joiners are tested again), runs
// src/detect/push-joiners.ts on them and labels every candidate by truth.csv: a member of the
// campaign most of the cluster belongs to ("own"), of another campaign, or organic (its confounder).
// Then prints what each admission rule would keep:
// - bh-all: the stage's rule, Benjamini-Hochberg at --fdr over every account tested;
// - bh-cand: BH over the candidates only, on p conditioned on joining at least one push,
//   P(X >= k | X >= 1) = P(X >= k) / P(X >= 1) (valid after selection on X >= 1);
// - identity: one push is enough when the account also matches the cluster's identity signature
//   (creation burst, and client and handle template where known; src/detect/expand-by-signals.ts),
//   p = p_push * r, r the signature's rate among accounts outside the clusters, BH over every account tested.
//
//   node --import tsx bench/push-candidates.ts --archives 7x10 --data bench/.data/qb [--fdr 0.01]
//     [--min-members 3] [--max-key-actors 100] [--outsiders-per-member Infinity] [--timed-replies] [--why] [--list]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ioArchiveInputs, readIoArchive } from '../src/cli/detect/io-direct.js';
import { expandBySignals } from '../src/detect/expand-by-signals.js';
import { GROUP_TRACES } from '../src/detect/pipeline.js';
import { pushJoiners } from '../src/detect/push-joiners.js';
import type { PushJoiner } from '../src/detect/push-joiners.js';
import { archives, dataDir, flag, has } from './archive-args.js';

const fdr = Number(flag('fdr', '0.01'));
const minMembers = Number(flag('min-members', '3'));
const maxKeyActors = Number(flag('max-key-actors', '100'));
const list = has('list');
const why = has('why');
const outsidersPerMember = Number(flag('outsiders-per-member', 'Infinity'));
const untimedTraces = has('timed-replies') ? [] : ['co-reply' as const];
const SLOW = 'slow-low-participation';

interface Row { campaign: string; style: string; confounder: string }
function readTruth(file: string): Map<string, Row> {
  const truth = new Map<string, Row>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [user, campaign, style, confounder] = line.split(',');
    if (user !== undefined && user !== '') truth.set(user, { campaign: campaign ?? '', style: style ?? '', confounder: (confounder ?? '').trim() });
  }
  return truth;
}

function bh(tests: readonly { p: number }[], family: number, rate: number): number {
  const sorted = tests.map((test) => test.p).sort((a, b) => a - b);
  let keep = 0;
  sorted.forEach((p, rank) => { if (p <= (rate * (rank + 1)) / Math.max(1, family)) keep = rank + 1; });
  return keep === 0 ? -1 : (sorted[keep - 1] as number);
}

for (const [seed, scale] of archives) {
  const dir = join(dataDir, `s${seed}-x${scale}`);
  const truth = readTruth(join(dir, 'truth.csv'));
  const options = { rejects: '/dev/null' };
  const inputs = await ioArchiveInputs([join(dir, 'tweets.csv'), join(dir, 'users.csv')], options);
  if (inputs === null) throw new Error(`${dir}: not an Information Operations archive`);
  const { source } = await readIoArchive(inputs, options);
  const loaded = await source.loadTraces([...GROUP_TRACES], { fastRepostMs: 10_000, platforms: [] }, () => {});
  const facts = source.accountFacts === undefined ? null : await source.accountFacts(loaded.actorIds);
  const index = new Map(loaded.actorIds.map((id, i) => [id, i]));
  const byCluster = new Map<string, number[]>();
  const flagged = new Set<string>();
  const exclude = new Uint8Array(loaded.actorIds.length);
  // Push joiners of the run are tested again (recruits by account signals stay out).
  const joinersOf = new Set<string>();
  for (const line of readFileSync(join(dataDir, `detect-s${seed}-x${scale}`, 'recruited.csv'), 'utf8').split(/\r?\n/).slice(1)) {
    const [user, , signals] = line.split(',');
    if (user !== undefined && signals?.startsWith('push:') === true) joinersOf.add(user);
  }
  for (const line of readFileSync(join(dataDir, `detect-s${seed}-x${scale}`, 'accounts.csv'), 'utf8').split(/\r?\n/).slice(1)) {
    const [user, cluster, score] = line.split(',');
    if (user === undefined || user === '' || cluster === undefined) continue;
    const at = index.get(user);
    if (at === undefined) continue;
    if (Number(score) === 0) { if (!joinersOf.has(user)) exclude[at] = 1; continue; }
    flagged.add(user);
    const members = byCluster.get(cluster) ?? [];
    members.push(at);
    byCluster.set(cluster, members);
  }
  const clusters = [...byCluster.values()].map((members) => ({ members }));
  const majority = clusters.map(({ members }) => {
    const counts = new Map<string, number>();
    for (const m of members) { const c = truth.get(loaded.actorIds[m] ?? '')?.campaign ?? ''; counts.set(c, (counts.get(c) ?? 0) + 1); }
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  });
  const result = pushJoiners({ actorCount: loaded.actorIds.length, clusters, traces: loaded.traces, exclude }, { minMembers, maxKeyActors, fdr, outsidersPerMember, untimedTraces });
  // The identity signature of each cluster (expand-by-signals' parts), and its rate outside the clusters.
  const identity = new Map<number, (a: number) => boolean>();
  const identityRate = new Map<number, number>();
  if (facts !== null) {
    const expansion = expandBySignals({ actorCount: loaded.actorIds.length, facts, clusters, traces: [] }, { minSignals: 0 });
    const outside: number[] = [];
    const inCluster = new Uint8Array(loaded.actorIds.length);
    for (const { members } of clusters) for (const m of members) inCluster[m] = 1;
    for (let a = 0; a < loaded.actorIds.length; a++) if (inCluster[a] === 0) outside.push(a);
    for (const entry of expansion.clusters) {
      const burst = entry.parts.find((part) => part.name === 'creation_burst');
      if (burst === undefined) continue;
      const { from, to } = burst.detail as { from: string; to: string };
      const lo = Date.parse(from) / 86_400_000;
      const hi = Date.parse(to) / 86_400_000;
      const client = entry.parts.find((part) => part.name === 'client')?.detail as { client: number } | undefined;
      const template = entry.parts.find((part) => part.name === 'handle_template')?.detail as { template: number } | undefined;
      const match = (a: number): boolean => {
        const day = facts.createdDay[a] ?? NaN;
        if (!(day >= lo && day <= hi)) return false;
        if (client !== undefined && (facts.client[a] ?? -1) >= 0 && facts.client[a] !== client.client) return false;
        if (template !== undefined && (facts.template[a] ?? -1) >= 0 && facts.template[a] !== template.template) return false;
        return true;
      };
      identity.set(entry.cluster, match);
      identityRate.set(entry.cluster, outside.filter(match).length / Math.max(1, outside.length));
    }
  }
  const label = (test: PushJoiner): string => {
    const row = truth.get(loaded.actorIds[test.account] ?? '');
    if (row === undefined || row.campaign === '') return `organic:${row?.confounder || 'none'}`;
    return row.campaign === majority[test.cluster] ? `own:${row.style === SLOW ? 'slow' : row.style}` : `other:${row.style}`;
  };
  const tests = result.tests.map((test) => {
    const conditional = Math.min(1, test.pValue / -Math.expm1(-test.expected));
    const match = identity.get(test.cluster)?.(test.account) ?? false;
    const rate = identityRate.get(test.cluster) ?? 1;
    return { test, label: label(test), conditional, match, joint: match ? test.pValue * rate : test.pValue };
  });
  const slow = [...truth].filter(([, row]) => row.style === SLOW);
  const found = slow.filter(([id]) => flagged.has(id) || exclude[index.get(id) ?? -1] === 1).length;
  const clusterCampaigns = new Set(majority);
  const reachable = slow.filter(([id, row]) => !flagged.has(id) && exclude[index.get(id) ?? -1] !== 1 && clusterCampaigns.has(row.campaign)).length;
  const rules: [string, number, (t: (typeof tests)[number]) => number][] = [
    ['bh-all', result.tested, (t) => t.test.pValue],
    ['bh-cand', tests.length, (t) => t.conditional],
    ['identity', result.tested, (t) => t.joint],
  ];
  console.log(`s${seed}-x${scale}: slow ${slow.length}, found by behaviour/recruits (not joiners) ${found}, missed in a campaign with a cluster ${reachable}; tested ${result.tested}, candidates ${tests.length}, exclusive pushes ${result.pushes.reduce((a, b) => a + b, 0)}`);
  const tally = (rows: readonly (typeof tests)[number][]): string => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
    return [...counts].sort().map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  };
  console.log(`  stage: joiners ${result.joiners.length} (${tally(tests.filter((t) => result.joiners.includes(t.test)))})`);
  console.log(`  candidates: ${tally(tests)}; one push ${tests.filter((t) => t.test.pushes.length === 1).length}; identity match ${tally(tests.filter((t) => t.match))}`);
  for (const [name, family, p] of rules) {
    const cut = bh(tests.map((t) => ({ p: p(t) })), family, fdr);
    const kept = tests.filter((t) => p(t) <= cut);
    const slowKept = kept.filter((t) => t.label === 'own:slow').length;
    console.log(`  ${name}: kept ${kept.length} (${tally(kept)}); slow recall ${(found / slow.length).toFixed(3)} -> ${((found + slowKept) / slow.length).toFixed(3)}`);
  }
  if (list) {
    for (const t of tests) console.log(`    ${t.label}\tpushes ${t.test.pushes.length}\tλ ${t.test.expected.toExponential(2)}\tp ${t.test.pValue.toExponential(2)}\tcond ${t.conditional.toExponential(2)}\tid ${t.match ? 'y' : 'n'} r ${(identityRate.get(t.test.cluster) ?? 1).toExponential(2)}\tmembers ${t.test.pushes.map((p) => p.members).join('/')}`);
  }
  if (why) whyNot(loaded.traces, loaded.actorIds, clusters, majority, truth, flagged, exclude);
  await source.close();
}

/**
 * For each slow member missed in a campaign that has a cluster: the rare objects (<= maxKeyActors
 * accounts) on which it acted within 15 minutes of a member of that cluster, and the first reason
 * each is not an exclusive push (another cluster on it, fewer than minMembers members, more
 * outsiders than members, an outsider action far from every member's).
 */
function whyNot(
  traces: ReadonlyMap<string, { actor: Int32Array; key: Int32Array; time: Float64Array | Int32Array | number[] }>, actorIds: readonly string[],
  clusters: readonly { members: number[] }[], majority: readonly string[], truth: Map<string, Row>, flagged: Set<string>, exclude: Uint8Array,
): void {
  const clusterOf = new Int32Array(actorIds.length).fill(-1);
  clusters.forEach(({ members }, c) => { for (const m of members) clusterOf[m] = c; });
  const clusterOfCampaign = new Map<string, number>();
  majority.forEach((campaign, c) => { if (!clusterOfCampaign.has(campaign)) clusterOfCampaign.set(campaign, c); });
  const target = new Int32Array(actorIds.length).fill(-1);
  actorIds.forEach((id, a) => {
    const row = truth.get(id);
    if (row?.style === SLOW && !flagged.has(id) && exclude[a] !== 1) target[a] = clusterOfCampaign.get(row.campaign) ?? -1;
  });
  const reasons = new Map<string, number>();
  const withTie = new Set<number>();
  for (const data of traces.values()) {
    for (let start = 0; start < data.key.length;) {
      let end = start + 1;
      while (end < data.key.length && data.key[end] === data.key[start]) end++;
      const actors = new Set<number>();
      for (let i = start; i < end; i++) actors.add(data.actor[i] ?? 0);
      if (actors.size <= maxKeyActors) {
        const tied: number[] = [];
        for (let i = start; i < end; i++) {
          const a = data.actor[i] ?? 0;
          const c = target[a] ?? -1;
          if (c < 0) continue;
          for (let j = start; j < end; j++) if (clusterOf[data.actor[j] ?? 0] === c && Math.abs(Number(data.time[j]) - Number(data.time[i])) <= 15 * 60_000) { tied.push(a); break; }
        }
        if (tied.length > 0) {
          const c = target[tied[0] ?? 0] ?? -1;
          const others = new Set([...actors].map((a) => clusterOf[a] ?? -1).filter((x) => x >= 0 && x !== c));
          const members = [...actors].filter((a) => clusterOf[a] === c).length;
          const outsiders = [...actors].filter((a) => clusterOf[a] === -1).length;
          let far = false;
          for (let i = start; i < end && !far; i++) {
            if (clusterOf[data.actor[i] ?? 0] !== -1) continue;
            let near = false;
            for (let j = start; j < end && !near; j++) if (clusterOf[data.actor[j] ?? 0] === c && Math.abs(Number(data.time[j]) - Number(data.time[i])) <= 15 * 60_000) near = true;
            far = !near;
          }
          const reason = others.size > 0 ? 'other cluster' : members < minMembers ? `members < ${minMembers}` : outsiders > members ? 'outsiders > members' : far ? 'an outsider far from members' : 'exclusive';
          for (const a of new Set(tied)) { withTie.add(a); reasons.set(reason, (reasons.get(reason) ?? 0) + 1); }
        }
      }
      start = end;
    }
  }
  const missed = target.filter((c) => c >= 0).length;
  console.log(`  why: ${missed} missed slow members in a clustered campaign, ${withTie.size} acted within 15 min of their cluster on a rare object; (member, object) pairs by first failing condition: ${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
