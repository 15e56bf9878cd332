// How organic accounts get into flagged clusters (issue 3, "Quality"): for each flagged account that
// truth.csv calls organic, its cluster (size, the campaign most members belong to), its significant
// edges into the cluster (edges.csv, per trace) against the cluster's typical member, the objects it
// co-acted on with members within the window (repost, link, hashtag, hashtag sequence, reply) with
// how popular each object is in the whole population around that moment, and the stage that most
// likely admitted it:
//   pair test      a significant narrow-window edge with 2+ shared objects into the cluster
//   group/recruit  only edges of one shared object (the group test's wide-window evidence; its
//                  linking objects are those met within 15 min, the group test's window)
//
//   node bench/false-positives.mjs --data bench/.data/qb/s7-x10 --out bench/.data/qb/detect-s7-x10 [--window 60] [--json]
//
// Reads tweets.csv once (streamed). Prints one block per organic account, then a tally by confounder
// and admitting stage, and by the kind of object that links organic accounts.
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';

const argv = process.argv.slice(2);
const flag = (name, fallback) => { const at = argv.indexOf(`--${name}`); return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback; };
const dataDir = flag('data', null);
const outDir = flag('out', null);
if (dataDir === null || outDir === null) throw new Error('usage: node bench/false-positives.mjs --data SYNTH_DIR --out DETECT_DIR [--window 60]');
const windowMs = Number(flag('window', '60')) * 1000;
const POPULAR_SPAN_MS = 60 * 60_000;
// As memberOccasions (src/detect/explain.ts): co-actions within 15 min, runs more than 1 h apart,
// counted when members are at least a fifth of everybody's events on the object within 15 min.
const OCCASION_WINDOW_MS = 15 * 60_000;
const OCCASION_GAP_MS = 60 * 60_000;
const OWN_SHARE = 0.2;
const runs = (times) => { let count = 0; let last = -Infinity; for (const time of [...times].sort((x, y) => x - y)) { if (time - last > OCCASION_GAP_MS) count++; last = time; } return count; };

const csvRows = () => parse({ columns: true, relax_column_count: true });
async function readCsv(path) {
  const rows = [];
  for await (const row of createReadStream(path).pipe(csvRows())) rows.push(row);
  return rows;
}

const truth = new Map((await readCsv(join(dataDir, 'truth.csv'))).map((row) => [row.userid, row]));
const clusters = JSON.parse(readFileSync(join(outDir, 'clusters.json'), 'utf8')).filter((cluster) => cluster.flagged);
const clusterOf = new Map();
for (const cluster of clusters) for (const member of cluster.members) clusterOf.set(member.account_id, cluster);
// --accounts FILE (one id a line): study these accounts instead (e.g. campaign members a change lost), in their cluster of this run.
const listed = flag('accounts', null);
const organic = listed === null ? [...clusterOf.keys()].filter((account) => (truth.get(account)?.campaign ?? '') === '')
  : readFileSync(listed, 'utf8').split('\n').map((line) => line.trim()).filter((account) => clusterOf.has(account));
const campaignOf = (account) => truth.get(account)?.campaign || `organic:${truth.get(account)?.confounder || 'none'}`;

// Significant edges among flagged accounts, per trace (shared objects).
const edgeRows = await readCsv(join(outDir, 'edges.csv'));
const traceColumns = Object.keys(edgeRows[0] ?? {}).filter((column) => column.startsWith('w_'));
const internal = new Map(); // account → [{ other, weight, traces: {trace: shared} }] inside its cluster
for (const row of edgeRows) {
  const cluster = clusterOf.get(row.source);
  if (cluster === undefined || cluster !== clusterOf.get(row.target)) continue;
  const traces = Object.fromEntries(traceColumns.map((column) => [column.slice(2), Number(row[column])]).filter(([, value]) => value > 0));
  for (const [x, y] of [[row.source, row.target], [row.target, row.source]]) {
    let list = internal.get(x);
    if (list === undefined) internal.set(x, (list = []));
    list.push({ other: y, weight: Number(row.weight), traces });
  }
}

// One pass over the tweets: every object event (kind:key, account, time); kept only for objects that
// an organic flagged account touched, plus per object the times of all accounts (for popularity).
const focus = new Set(organic);
const events = new Map(); // object → [[account, time]]
const parseList = (text) => (text === undefined || text === '' || text === '[]' ? [] : text.replace(/^\[|\]$/g, '').split(',').map((item) => item.trim().replace(/^'|'$/g, '')).filter(Boolean));
const objectsOf = (row) => {
  const objects = [];
  if (row.retweet_tweetid) objects.push(`repost:${row.retweet_tweetid}`);
  if (row.in_reply_to_tweetid) objects.push(`reply:${row.in_reply_to_tweetid}`);
  for (const url of parseList(row.urls)) objects.push(`link:${url}`);
  const tags = parseList(row.hashtags).map((tag) => tag.toLowerCase());
  for (const tag of new Set(tags)) objects.push(`tag:${tag}`);
  if (tags.length > 1) objects.push(`tagseq:${tags.join(' ')}`);
  return objects;
};
const touched = new Set();
const all = [];
for await (const row of createReadStream(join(dataDir, 'tweets.csv')).pipe(csvRows())) {
  const time = Date.parse(`${row.tweet_time.replace(' ', 'T')}Z`);
  const objects = objectsOf(row);
  if (focus.has(row.userid)) for (const object of objects) touched.add(object);
  all.push([row.userid, time, objects]);
}
for (const [account, time, objects] of all) {
  for (const object of objects) {
    if (!touched.has(object)) continue;
    let list = events.get(object);
    if (list === undefined) events.set(object, (list = []));
    list.push([account, time]);
  }
}
all.length = 0;

const median = (values) => { const sorted = [...values].sort((x, y) => x - y); return sorted.length === 0 ? 0 : sorted[sorted.length >> 1]; };
const tally = new Map();
const count = (key) => tally.set(key, (tally.get(key) ?? 0) + 1);
const report = [];
for (const account of organic) {
  const cluster = clusterOf.get(account);
  const members = new Set(cluster.members.map((member) => member.account_id));
  const campaigns = new Map();
  for (const member of members) campaigns.set(campaignOf(member), (campaigns.get(campaignOf(member)) ?? 0) + 1);
  const [majority] = [...campaigns].sort((x, y) => y[1] - x[1])[0];
  const edges = internal.get(account) ?? [];
  const degrees = [...members].map((member) => (internal.get(member) ?? []).length);
  const weights = [...members].flatMap((member) => (internal.get(member) ?? []).map((edge) => edge.weight));
  const maxShared = Math.max(0, ...edges.flatMap((edge) => Object.values(edge.traces)));
  const stage = maxShared >= 2 ? 'pair test' : 'group/recruit';
  // The group test links accounts within its wide window (15 min), the pair test within --window.
  const linkWindowMs = stage === 'pair test' ? windowMs : OCCASION_WINDOW_MS;
  // Co-actions with members: objects where the account and a member acted within the window.
  const linking = [];
  const meetings = [];
  const ownMeetings = [];
  for (const object of touched) {
    const list = events.get(object) ?? [];
    for (const [who, time] of list) {
      if (who !== account) continue;
      if (!list.some(([other, at]) => other !== account && members.has(other) && Math.abs(at - time) <= OCCASION_WINDOW_MS)) continue;
      meetings.push(time);
      const near = list.filter(([, at]) => Math.abs(at - time) <= OCCASION_WINDOW_MS);
      if (near.filter(([other]) => members.has(other)).length >= OWN_SHARE * near.length) ownMeetings.push(time);
    }
  }
  for (const object of touched) {
    const list = events.get(object) ?? [];
    const own = list.filter(([who]) => who === account).map(([, time]) => time);
    if (own.length === 0) continue;
    const partners = new Set();
    let at = own[0];
    for (const [who, time] of list) {
      if (who === account || !members.has(who)) continue;
      const near = own.find((mine) => Math.abs(mine - time) <= linkWindowMs);
      if (near !== undefined) { partners.add(who); at = near; }
    }
    if (partners.size === 0) continue;
    const everybody = new Set(list.map(([who]) => who)).size;
    const aroundThen = new Set(list.filter(([, time]) => Math.abs(time - at) <= POPULAR_SPAN_MS).map(([who]) => who)).size;
    const membersOn = new Set(list.filter(([who]) => members.has(who)).map(([who]) => who)).size;
    linking.push({ object, partners: partners.size, membersOn, everybody, aroundThen, at: new Date(at).toISOString().slice(0, 16) });
  }
  linking.sort((x, y) => y.partners - x.partners);
  const kinds = new Set(linking.map((entry) => entry.object.split(':')[0]));
  const confounder = truth.get(account)?.confounder || 'none';
  count(`${confounder} | ${stage} | ${[...kinds].sort().join('+') || 'text only'}`);
  report.push({
    account, confounder, cluster: cluster.id, size: cluster.size, score: cluster.score, majority, majorityCount: campaigns.get(majority), stage,
    edges: edges.length, medianMemberDegree: median(degrees), ownMedianWeight: median(edges.map((edge) => edge.weight)), clusterMedianWeight: median(weights),
    traces: edges.reduce((sum, edge) => { for (const [trace, shared] of Object.entries(edge.traces)) sum[trace] = (sum[trace] ?? 0) + shared; return sum; }, {}),
    occasions: runs(meetings), ownOccasions: runs(ownMeetings),
    linking: linking.slice(0, 8),
  });
}

if (argv.includes('--json')) {
  console.log(JSON.stringify({ organic: report, tally: Object.fromEntries(tally) }, null, 2));
} else {
  for (const entry of report) {
    console.log(`${entry.account.slice(0, 12)} ${entry.confounder} in cluster ${entry.cluster} (${entry.size} accounts, score ${entry.score.toFixed(2)}, ${entry.majorityCount} of ${entry.majority}); admitted by ${entry.stage}; met members on ${entry.occasions} occasions, ${entry.ownOccasions} on objects the cluster's own at the time`);
    console.log(`  edges into cluster ${entry.edges} (members' median ${entry.medianMemberDegree}); edge weight median ${entry.ownMedianWeight.toFixed(1)} (cluster ${entry.clusterMedianWeight.toFixed(1)}); shared by trace ${JSON.stringify(entry.traces)}`);
    for (const link of entry.linking) console.log(`    ${link.object.slice(0, 70)}  with ${link.partners} members (${link.membersOn} members on it; ${link.everybody} accounts in all, ${link.aroundThen} within 1 h) at ${link.at}`);
  }
  console.log('\nconfounder | stage | linking objects\tcount');
  for (const [key, value] of [...tally].sort((x, y) => y[1] - x[1])) console.log(`${key}\t${value}`);
}
