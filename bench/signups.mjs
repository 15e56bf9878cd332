// `node --import tsx bench/signups.mjs [signups] [rate] [seconds]`: sign-up scoring speed, from src/
// (or `LIB=bench/.data/dist node bench/signups.mjs ...` on the tsc output: `npx tsc -p tsconfig.build.json --outDir bench/.data/dist`).
// 1. Batch (skipped when signups is 0): scores a synthetic week of registrations (default
//    1,000,000 rows: the network's wave and organic sign-ups through the same VPN providers) from
//    CSV to scores CSV; prints sign-ups/s (wall and CPU of this process).
// 2. Online (skipped when rate is 0): the workspace server as `lockstep serve` builds it (createApp
//    with bearer auth, rate limit, body limit and the scorer at /v1/signups, state written behind
//    every second) in a child process on 127.0.0.1, driven by autocannon at a fixed rate (default
//    2,000 requests/s for 10 s; CONNECTIONS, default 8, keep-alive connections) from this process.
//    Prints the client-observed latency (autocannon, ms: p50/p90/p99/max), errors and non-2xx, and
//    from the server: handler time percentiles (µs), event-loop delay (perf_hooks), GC pauses, the
//    state writes' time and the server's CPU seconds.
//    SUBAPP=1 serves the scorer sub-app alone (no auth), as session 2's bench did.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import autocannon from 'autocannon';

const [total = 1_000_000, rate = 2000, seconds = 10] = process.argv.slice(2).filter((arg) => !arg.startsWith('--')).map(Number);
// LIB=<folder of compiled JS> (e.g. the tsc output) runs that instead of src/ through tsx.
const lib = process.env.LIB;
const src = (path) => import(lib === undefined ? new URL(`../src/${path}`, import.meta.url).href : new URL(`${lib.replace(/\/?$/, '/')}${path.replace(/\.ts$/, '.js')}`, `file://${process.cwd()}/`).href);

if (process.argv.includes('--serve')) await serveChild();
else if (process.argv.includes('--batch')) await batchChild(process.argv[process.argv.indexOf('--batch') + 1]);
else await main();

async function setup() {
  const { planInfra } = await src('synth/infra-plan.ts');
  const { accountLogins } = await src('synth/infra-logins.ts');
  const { buildIpTable } = await src('signals/ip-table.ts');
  const { emptyKnownInfra, learnInfra } = await src('signals/signup/index.ts');
  const seed = 7;
  const world = planInfra(seed);
  const table = buildIpTable(world.networks);
  // The network: 300 campaign accounts; the baseline: 3,000 ordinary ones.
  const members = Array.from({ length: 300 }, (_, i) => ({ accountId: `c${i}`, handle: null, source: 'cluster 1' }));
  const logins = [];
  const agents = new Map();
  for (let i = 0; i < 3300; i++) {
    for (const [accountId, time, ip, userAgent] of accountLogins(world, seed, i < 300 ? `c${i}` : `o${i}`, i, i < 300)) {
      logins.push({ platform: 'x', actorId: accountId, time: Date.parse(time), ip, userAgent, event: 'login' });
      agents.set(userAgent, (agents.get(userAgent) ?? 0) + 1);
    }
  }
  const known = learnInfra(emptyKnownInfra(), { members, logins, baselineUserAgents: agents, baselineLogins: logins.length, lookup: table });
  return { world, seed, known, table };
}

/** Child: the server, its measurements, and a report when asked. */
async function serveChild() {
  const { createSignupScorer, saveState, signupScoreRoutes, openSignupScorer } = await src('signals/signup/index.ts');
  const { known, table } = await setup();
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-'));
  const statePath = join(dir, 'bench.signups.json');
  await saveState(statePath, { ...createSignupScorer(known, table).state(), known });
  // The main-thread time of every state write.
  const saves = [];
  const open = await openSignupScorer(statePath, table, { onSaved: (busy) => saves.push(busy) });
  const state = () => open.scorer.state();
  const times = [];
  const timed = async (c, next) => { const t = process.hrtime.bigint(); await next(); times.push(Number(process.hrtime.bigint() - t) / 1000); };
  let app;
  let token = null;
  let closeWorkspace = async () => {};
  if (process.env.SUBAPP === '1') {
    const { Hono } = await import('hono');
    app = new Hono();
    app.use('*', timed);
    app.route('/v1/signups', signupScoreRoutes(open.scorer));
  } else {
    const { createApp } = await src('server/app.ts');
    const { addUser } = await src('server/auth.ts');
    const { openWorkspace } = await src('server/workspace.ts');
    const workspace = await openWorkspace({ dbPath: join(dir, 'bench.duckdb'), pgUrl: null, enforcement: { mastodon: null, ozone: null, webhook: null } });
    closeWorkspace = () => workspace.close();
    token = (await addUser(workspace.deps.store, { name: 'registration-service', role: 'investigator', now: Date.now() })).token;
    const { Hono } = await import('hono');
    app = new Hono();
    app.use('*', timed);
    // One registration service's token, the app's default limits.
    app.route('/', createApp(workspace.deps, { signups: signupScoreRoutes(open.scorer) }));
  }
  const { serve } = await import('@hono/node-server');
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const gcs = [];
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) gcs.push(entry.duration); });
  observer.observe({ entryTypes: ['gc'] });
  let cpu = null;
  // BARE=1: the machine's floor — node:http answering a fixed JSON body after reading the request,
  // no Hono, no auth, no scoring.
  const server = process.env.BARE === '1'
    ? (await import('node:http')).createServer((request, response) => {
      const t = process.hrtime.bigint();
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"account_id":"x","decision":"allow","score":0,"reasons":[]}');
        times.push(Number(process.hrtime.bigint() - t) / 1000);
      });
    }).listen(0, '127.0.0.1', function listening() { process.send({ port: this.address().port, token }); })
    : serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.send({ port: info.port, token }));
  process.on('message', async (message) => {
    if (message === 'start') { loop.enable(); cpu = process.cpuUsage(); gcs.length = 0; saves.length = 0; times.length = 0; }
    if (message === 'stop') {
      loop.disable();
      const used = process.cpuUsage(cpu);
      observer.disconnect();
      const ms = (ns) => ns / 1e6;
      const t = performance.now();
      const bytes = JSON.stringify(state()).length;
      const stringifyMs = performance.now() - t;
      process.send({ stringifyMs, bytes,
        times, gcs, saves, cpuSeconds: (used.user + used.system) / 1e6,
        loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      });
      await open.close();
      await closeWorkspace();
      rmSync(dir, { recursive: true, force: true });
      server.close(() => process.exit(0));
    }
  });
}

/** Child: scores the file as `lockstep signups score` does; reports wall and CPU seconds of the scoring. */
async function batchChild(file) {
  const { createSignupScorer, scoreSignupFile } = await src('signals/signup/index.ts');
  const { known, table } = await setup();
  const scorer = createSignupScorer(known, table);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await scoreSignupFile(file, join('bench', '.data', 'scores.csv'), scorer);
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.send({ result, wall, cpuSeconds: (used.user + used.system) / 1e6, peakRssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
}

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN; }

async function main() {
  const { signupTables } = await src('synth/signups-wave.ts');
  const { world, seed } = await setup();
  let tables = signupTables(world, seed, Math.max(total, 20_000) / 7500);
  // Online: bodies from the same week, JSON-encoded once.
  const bodies = tables.signups.slice(0, 20_000).map(([account_id, time, ip, user_agent, handle, email_domain]) =>
    JSON.stringify({ account_id, time: Date.parse(time), ip, user_agent, handle, email_domain }));
  if (total > 0) {
    const dir = join('bench', '.data');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `signups-${total}.csv`);
    writeFileSync(file, `account_id,time,ip,user_agent,handle,email_domain\n${tables.signups.slice(0, total).map((row) => row.map((v) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')).join('\n')}\n`);
    tables = null;
    // Scored in a process of its own, as `lockstep signups score` runs (not beside this one's tables).
    const child = fork(new URL(import.meta.url), ['--batch', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const { result, wall, cpuSeconds, peakRssKb } = await new Promise((resolve) => child.once('message', resolve));
    console.log(`batch: ${result.scored.toLocaleString('en')} sign-ups in ${wall.toFixed(2)} s wall (${Math.round(result.scored / wall).toLocaleString('en')}/s), ` +
      `${cpuSeconds.toFixed(2)} s CPU (${Math.round(result.scored / cpuSeconds).toLocaleString('en')}/s), peak RSS ${Math.round(peakRssKb / 1024)} MiB; ${JSON.stringify(result.decisions)}`);
  }
  if (!(rate > 0)) return;
  // SERVER_ARGS: node flags for the server process only (e.g. --cpu-prof, --trace-gc).
  const execArgv = [...process.execArgv, ...(process.env.SERVER_ARGS ?? '').split(' ').filter(Boolean)];
  // PRIORITY=-10: this load generator and the server at that nice value (root only), as a
  // latency-critical service would be given its CPU on a box shared with batch jobs.
  const priority = process.env.PRIORITY === undefined ? null : Number(process.env.PRIORITY);
  if (priority !== null) setPriority(process.pid, priority);
  // PIN=1: the server on CPU 0 and this load generator on CPU 1, so the two never queue for one core.
  const pin = process.env.PIN === '1';
  if (pin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork(new URL(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const { port, token } = await new Promise((resolve) => child.once('message', resolve));
  if (priority !== null) setPriority(child.pid, priority);
  const connections = Number(process.env.CONNECTIONS ?? 8);
  const headers = { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
  let next = 0;
  const request = { method: 'POST', path: '/v1/signups/score', headers, setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) };
  // Warm-up (JIT, connections), not counted.
  await autocannon({ url: `http://127.0.0.1:${port}`, connections, overallRate: rate, duration: 2, requests: [request] });
  child.send('start');
  const cpu = process.cpuUsage();
  const online = await autocannon({ url: `http://127.0.0.1:${port}`, connections, overallRate: rate, duration: seconds, requests: [request] });
  const clientUsed = process.cpuUsage(cpu);
  child.send('stop');
  const report = await new Promise((resolve) => child.once('message', resolve));
  const times = report.times.sort((x, y) => x - y);
  const gcs = report.gcs.sort((x, y) => x - y);
  const saves = report.saves;
  const l = online.latency;
  console.log(`online (${process.env.BARE === '1' ? 'BARE node:http, fixed answer' : process.env.SUBAPP === '1' ? 'scorer sub-app' : 'workspace app, bearer auth'}${pin ? ', server pinned to CPU 0, load generator to CPU 1' : ''}${priority === null ? '' : `, both at nice ${priority}`}): ${online.requests.total.toLocaleString('en')} requests in ${seconds} s ` +
    `(${Math.round(online.requests.average).toLocaleString('en')}/s, asked ${rate}/s), ${connections} connections; ` +
    `client latency p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms; errors ${online.errors}, timeouts ${online.timeouts}, non-2xx ${online.non2xx}`);
  console.log(`server: handler p50 ${pct(times, 0.5).toFixed(0)} µs, p99 ${pct(times, 0.99).toFixed(0)} µs, max ${pct(times, 1).toFixed(0)} µs; ` +
    `event-loop delay p50 ${report.loop.p50.toFixed(1)} ms, p99 ${report.loop.p99.toFixed(1)} ms, max ${report.loop.max.toFixed(1)} ms; ` +
    `GC ${gcs.length} pauses, p99 ${pct(gcs, 0.99).toFixed(2)} ms, max ${pct(gcs, 1).toFixed(2)} ms, total ${gcs.reduce((a, b) => a + b, 0).toFixed(0)} ms; ` +
    `state writes ${saves.length} (main thread max ${Math.max(0, ...saves).toFixed(1)} ms; whole snapshot + JSON of ${(report.bytes / 1024).toFixed(0)} KiB ${report.stringifyMs.toFixed(1)} ms at the end); CPU ${report.cpuSeconds.toFixed(2)} s server, ${((clientUsed.user + clientUsed.system) / 1e6).toFixed(2)} s load generator`);
}
