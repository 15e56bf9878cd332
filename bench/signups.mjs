// `node --import tsx bench/signups.mjs [signups] [rate] [seconds]`: sign-up scoring speed, from src/
// (or `LIB=bench/.data/dist node bench/signups.mjs ...` on the tsc output: `npx tsc -p tsconfig.build.json --outDir bench/.data/dist`).
// 1. Batch (skipped when signups is 0): scores a synthetic week of registrations (default
//    1,000,000 rows: the network's wave and organic sign-ups through the same VPN providers) from
//    CSV to scores CSV; prints sign-ups/s (wall and CPU of this process).
// 2. Online (skipped when rate is 0): the workspace server as `lockstep serve` builds it (createApp
//    with bearer auth, rate limit, body limit and the scorer at /v1/signups, state written behind
//    every second) in a child process on 127.0.0.1, driven at a fixed rate (default 2,000
//    requests/s for 10 s; CONNECTIONS, default 8, keep-alive connections) by wrk when it is on PATH
//    (C; each connection paced to its share of the rate by a Lua script, latency taken from each
//    request's scheduled time, so a stall counts against every request it held back, as wrk2
//    does), else by autocannon from this process (GENERATOR=wrk|autocannon chooses).
//    Prints the generator, the rate achieved, the client-observed latency (ms: p50/p90/p99/max),
//    errors and non-2xx, and
//    from the server: handler time percentiles (µs), event-loop delay (perf_hooks), GC pauses, the
//    state writes' time and the server's CPU seconds.
//    The server is the listener `lockstep serve` runs (createApiServer: the sign-up route on its
//    fast path, handler time from the request to the answer's 'finish'); HONO=1 serves the Hono
//    app alone, SUBAPP=1 the scorer sub-app alone (no auth), as session 2's bench did.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, setPriority, tmpdir } from 'node:os';
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
  let fastListener = null;
  let token = null;
  let closeWorkspace = async () => {};
  if (process.env.SUBAPP === '1') {
    const { Hono } = await import('hono');
    app = new Hono();
    app.use('*', timed);
    app.route('/v1/signups', signupScoreRoutes(open.scorer));
  } else {
    const { createApp, createApiServer } = await src('server/app.ts');
    const { addUser } = await src('server/auth.ts');
    const { openWorkspace } = await src('server/workspace.ts');
    const workspace = await openWorkspace({ dbPath: join(dir, 'bench.duckdb'), pgUrl: null, enforcement: { mastodon: null, ozone: null, webhook: null } });
    closeWorkspace = () => workspace.close();
    token = (await addUser(workspace.deps.store, { name: 'registration-service', role: 'investigator', now: Date.now() })).token;
    const { Hono } = await import('hono');
    app = new Hono();
    app.use('*', timed);
    // One registration service's token, the app's default limits. As `lockstep serve` runs it:
    // the listener with the sign-up fast path (HONO=1: the Hono app alone, as before).
    const signups = signupScoreRoutes(open.scorer);
    if (process.env.HONO === '1') app.route('/', createApp(workspace.deps, { signups }));
    else {
      const { answerSignup } = await src('signals/signup/index.ts');
      const { listener } = createApiServer(workspace.deps, { signups, signupAnswer: (text) => answerSignup(open.scorer, text) });
      fastListener = (request, response) => {
        const t = process.hrtime.bigint();
        response.once('finish', () => { times.push(Number(process.hrtime.bigint() - t) / 1000); });
        listener(request, response);
      };
    }
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
    : fastListener !== null
      ? (await import('node:http')).createServer(fastListener).listen(0, '127.0.0.1', function listening() { process.send({ port: this.address().port, token }); })
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
  process.on('exit', () => child.kill()); // not left serving when this process fails
  const { port, token } = await new Promise((resolve) => child.once('message', resolve));
  if (priority !== null) setPriority(child.pid, priority);
  const connections = Number(process.env.CONNECTIONS ?? 8);
  const headers = { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) };
  // GENERATOR=wrk|autocannon; wrk (C, paced by the script below) when it is on PATH.
  const generator = process.env.GENERATOR ?? (hasWrk() ? 'wrk' : 'autocannon');
  let online;
  let clientSeconds;
  if (generator === 'wrk') {
    const url = `http://127.0.0.1:${port}/v1/signups/score`;
    await runWrk(url, headers, bodies, { connections, rate, seconds: 2 }); // warm-up (JIT, connections), not counted
    child.send('start');
    ({ online, clientSeconds } = await runWrk(url, headers, bodies, { connections, rate, seconds }));
  } else {
    let next = 0;
    const request = { method: 'POST', path: '/v1/signups/score', headers, setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) };
    // Warm-up (JIT, connections), not counted.
    await autocannon({ url: `http://127.0.0.1:${port}`, connections, overallRate: rate, duration: 2, requests: [request] });
    child.send('start');
    const cpu = process.cpuUsage();
    const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections, overallRate: rate, duration: seconds, requests: [request] });
    const used = process.cpuUsage(cpu);
    clientSeconds = (used.user + used.system) / 1e6;
    online = { total: result.requests.total, perSecond: result.requests.total / seconds, latency: result.latency, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx };
  }
  child.send('stop');
  const report = await new Promise((resolve) => child.once('message', resolve));
  const times = report.times.sort((x, y) => x - y);
  const gcs = report.gcs.sort((x, y) => x - y);
  const saves = report.saves;
  const l = online.latency;
  const generatorName = generator === 'wrk' ? 'wrk (C), paced per connection, latency from each request\'s scheduled time' : 'autocannon (Node, this process)';
  console.log(`online (${process.env.BARE === '1' ? 'BARE node:http, fixed answer' : process.env.SUBAPP === '1' ? 'scorer sub-app' : process.env.HONO === '1' ? 'workspace app (Hono alone), bearer auth' : 'workspace app as lockstep serve runs it (sign-up fast path), bearer auth'}${pin ? ', server pinned to CPU 0, load generator to CPU 1' : ''}${priority === null ? '' : `, both at nice ${priority}`}; load generator ${generatorName}): ` +
    `${online.total.toLocaleString('en')} requests in ${seconds} s (achieved ${Math.round(online.perSecond).toLocaleString('en')}/s, asked ${rate}/s), ${connections} connections; ` +
    `client latency p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms; errors ${online.errors}, timeouts ${online.timeouts}, ${generator === 'wrk' ? 'status >= 400' : 'non-2xx'} ${online.non2xx}`);
  console.log(`server: handler p50 ${pct(times, 0.5).toFixed(0)} µs, p99 ${pct(times, 0.99).toFixed(0)} µs, max ${pct(times, 1).toFixed(0)} µs; ` +
    `event-loop delay p50 ${report.loop.p50.toFixed(1)} ms, p99 ${report.loop.p99.toFixed(1)} ms, max ${report.loop.max.toFixed(1)} ms; ` +
    `GC ${gcs.length} pauses, p99 ${pct(gcs, 0.99).toFixed(2)} ms, max ${pct(gcs, 1).toFixed(2)} ms, total ${gcs.reduce((a, b) => a + b, 0).toFixed(0)} ms; ` +
    `state writes ${saves.length} (main thread max ${Math.max(0, ...saves).toFixed(1)} ms; whole snapshot + JSON of ${(report.bytes / 1024).toFixed(0)} KiB ${report.stringifyMs.toFixed(1)} ms at the end); CPU ${report.cpuSeconds.toFixed(2)} s server, ${clientSeconds.toFixed(2)} s load generator; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return error.status === 1; // wrk --version prints its usage and exits 1; a missing binary throws ENOENT
  }
}

/**
 * wrk's Lua script: one connection per wrk thread, so each thread's state is its connection's.
 * A connection sends its k-th request at start + k * interval (wrk's `delay()`, in ms, after each
 * response; a connection that falls behind sends at once until it catches up), and each latency is
 * taken from the request's scheduled time, not from when it went out (as wrk2 does): a server stall
 * counts against every request it held back. Latencies go to `done` through `thread:get`.
 */
function wrkScript() {
  return String.raw`
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } lockstep_timespec;
int clock_gettime(int clk, lockstep_timespec *tp);
]]
local ts = ffi.new("lockstep_timespec")
local function now_us() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3 end

local threads = {}
local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
-- lat is a global: done() reads it through thread:get
local interval, phase, conns, start, k, scheduled, n, path
function init(args)
  conns = tonumber(args[3])
  path = wrk.path
  -- this connection's share of the bodies, each formatted once (headers from -H)
  local i = 0
  for line in io.lines(args[1]) do
    if i % conns == index then requests[#requests + 1] = wrk.format("POST", path, nil, line) end
    i = i + 1
  end
  interval = 1e6 / tonumber(args[2])
  -- spread the connections' schedules evenly over one interval
  phase = index / conns * interval
  k = 0
  n = 0
  lat = {}
end

local function due(i) if i == 0 then return start end return start + phase + i * interval end

-- wrk calls delay() as soon as a response is complete (before the next request): the response's
-- time is taken here, which spares a response() callback (and wrk's parsing of every header into Lua)
function delay()
  local t = now_us()
  -- wrk asks before a connection's first request too: the schedule starts there (wrk also calls
  -- request() once at set-up, long before, to check the script)
  if start == nil then start = t; k = 0; return 0 end
  if scheduled ~= nil then n = n + 1; lat[n] = t - scheduled; scheduled = nil end
  local wait = (due(k) - t) / 1000
  if wait < 1 then return 0 end
  return math.floor(wait)
end

function request()
  local t = now_us()
  if start == nil then return requests[1] end
  -- a request sent early (delay() counts whole ms) is timed from when it went out
  scheduled = math.min(due(k), t)
  local r = requests[k % #requests + 1]
  k = k + 1
  return r
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local l = thread:get("lat")
    for i = 1, #l do all[#all + 1] = l[i] end
  end
  table.sort(all)
  local function pct(p) if #all == 0 then return 0 end local i = math.floor(p * #all) + 1; if i > #all then i = #all end return all[i] end
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"total":%d,"durationUs":%d,"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f,"errors":%d,"timeouts":%d,"non2xx":%d}\n',
    #all, summary.duration, pct(0.5) / 1000, pct(0.9) / 1000, pct(0.99) / 1000, pct(0.999) / 1000, all[#all] and all[#all] / 1000 or 0,
    e.connect + e.read + e.write, e.timeout, e.status))
end
`;
}

/** Runs wrk with wrkScript(): one thread per connection, `rate` requests/s over all of them. */
async function runWrk(url, headers, bodies, { connections, rate, seconds }) {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-wrk-'));
  try {
    writeFileSync(join(dir, 'bodies.txt'), `${bodies.join('\n')}\n`);
    writeFileSync(join(dir, 'pace.lua'), wrkScript());
    const args = ['-t', String(connections), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '-s', join(dir, 'pace.lua'),
      ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]), url, '--', join(dir, 'bodies.txt'), String(rate / connections), String(connections)];
    // /usr/bin/time reports wrk's own CPU seconds (the generator's cost on the shared cores).
    const child = spawn('/usr/bin/time', ['-f', 'WRK_CPU %U %S', 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`wrk exited ${code}: ${out}${err}`))));
    });
    const cpuLine = err.split('\n').find((l) => l.startsWith('WRK_CPU ')) ?? 'WRK_CPU NaN NaN';
    const [user, system] = cpuLine.split(' ').slice(1).map(Number);
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (line === undefined) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length));
    return {
      online: { total: r.total, perSecond: r.total / (r.durationUs / 1e6), latency: { p50: r.p50, p90: r.p90, p99: r.p99, p999: r.p999, max: r.max }, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx },
      clientSeconds: user + system,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
