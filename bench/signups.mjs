// `npm run build && node bench/signups.mjs [signups] [rate] [seconds]`: sign-up scoring speed.
// 1. Batch: scores a synthetic week of registrations (default 1,000,000 rows: the network's wave
//    and organic sign-ups through the same VPN providers) from CSV to scores CSV; prints sign-ups/s
//    (wall and CPU).
// 2. Online: the POST /score sub-app served by @hono/node-server in a child process on 127.0.0.1,
//    driven by autocannon at a fixed rate (default 2,000 requests/s for 10 s) over keep-alive
//    connections; prints client-side p50/p99 latency (autocannon, ms) and server-side handler
//    time percentiles (µs), and any errors or non-2xx answers.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

const [total = 1_000_000, rate = 2000, seconds = 10] = process.argv.slice(2).map(Number);

if (process.argv[2] === '--serve') {
  // Child: serve the sub-app, report the port, collect handler times, send them when asked.
  const { serve } = await import('@hono/node-server');
  const { Hono } = await import('hono');
  const { signupScoreRoutes } = await import('../dist/signals/signup/index.js');
  const { scorer } = await setup();
  const times = [];
  const app = new Hono();
  app.use('*', async (c, next) => { const t = process.hrtime.bigint(); await next(); times.push(Number(process.hrtime.bigint() - t) / 1000); });
  app.route('/v1/signups', signupScoreRoutes(scorer));
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.send({ port: info.port }));
  process.on('message', (message) => {
    if (message === 'stop') {
      process.send({ times });
      server.close(() => process.exit(0));
    }
  });
} else {
  await main();
}

async function setup() {
  const { planInfra } = await import('../dist/synth/infra-plan.js');
  const { accountLogins } = await import('../dist/synth/infra-logins.js');
  const { buildIpTable } = await import('../dist/signals/ip-table.js');
  const { createSignupScorer, emptyKnownInfra, learnInfra } = await import('../dist/signals/signup/index.js');
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
  return { world, seed, scorer: createSignupScorer(known, table), createSignupScorer, known, table };
}

async function main() {
  const { signupTables } = await import('../dist/synth/signups-wave.js');
  const { scoreSignupFile } = await import('../dist/signals/signup/index.js');
  const { world, seed, scorer } = await setup();
  const dir = join('bench', '.data');
  mkdirSync(dir, { recursive: true });
  const tables = signupTables(world, seed, total / 7500);
  const file = join(dir, `signups-${total}.csv`);
  writeFileSync(file, `account_id,time,ip,user_agent,handle,email_domain\n${tables.signups.map((row) => row.map((v) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')).join('\n')}\n`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await scoreSignupFile(file, join(dir, 'scores.csv'), scorer);
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`batch: ${result.scored.toLocaleString('en')} sign-ups in ${wall.toFixed(2)} s wall (${Math.round(result.scored / wall).toLocaleString('en')}/s), ` +
    `${cpuSeconds.toFixed(2)} s CPU (${Math.round(result.scored / cpuSeconds).toLocaleString('en')}/s); ${JSON.stringify(result.decisions)}`);

  if (!(rate > 0)) return;
  // Online: bodies from the same week, JSON-encoded once.
  const bodies = tables.signups.slice(0, 20_000).map(([account_id, time, ip, user_agent, handle, email_domain]) =>
    JSON.stringify({ account_id, time: Date.parse(time), ip, user_agent, handle, email_domain }));
  const child = fork(new URL(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.once('message', (message) => resolve(message.port)));
  let next = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`, connections: Number(process.env.CONNECTIONS ?? 32), overallRate: rate, duration: seconds,
    requests: [{ method: 'POST', path: '/v1/signups/score', headers: { 'content-type': 'application/json' }, setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  const online = await instance;
  child.send('stop');
  const serverTimes = await new Promise((resolve) => child.once('message', (message) => resolve(message.times)));
  serverTimes.sort((x, y) => x - y);
  const pct = (p) => serverTimes[Math.min(serverTimes.length - 1, Math.floor(p * serverTimes.length))] ?? NaN;
  console.log(`online: ${online.requests.total.toLocaleString('en')} requests in ${seconds} s (${Math.round(online.requests.average).toLocaleString('en')}/s asked ${rate}/s), ` +
    `latency p50 ${online.latency.p50} ms, p99 ${online.latency.p99} ms, max ${online.latency.max} ms (autocannon); ` +
    `server handler p50 ${pct(0.5).toFixed(0)} µs, p99 ${pct(0.99).toFixed(0)} µs; errors ${online.errors}, timeouts ${online.timeouts}, non-2xx ${online.non2xx}`);
}
