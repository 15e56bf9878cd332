import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { DuckDbStore } from '../../store/index.js';
import { openDuckDbWorkspace } from '../../store/duckdb/workspace-store.js';
import { jetstreamStream } from '../../stream/test-support/jetstream-stream.js';
import { runCli } from '../test-support/run-cli.js';

interface Alert { type: string; cluster: string; members: string[]; topKeys: { key: string }[]; latencyMs: number | null }

const parseAlerts = (stdout: string): Alert[] => stdout.trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Alert);

describe('lockstep stream', () => {
  let dir = '';
  let file = '';
  let rings: { members: string[] }[] = [];
  let lines: string[] = [];
  let webhook: Server;
  const posted: Alert[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-stream-cli-'));
    ({ lines, rings } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 60_000 }));
    file = join(dir, 'feed.jsonl');
    await writeFile(file, `${lines.join('\n')}\n{"did":"did:plc:x","time_us":"soon"}\n`);
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => { posted.push(JSON.parse(body) as Alert); response.end('ok'); });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('replays a file and alerts on stdout, to the webhook and as cases, with the evidence; a bad line is reported with its line number', async () => {
    const db = join(dir, 'work.duckdb');
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
    const run = await runCli('stream', file, '--speed', 'max', '--every', '60', '--webhook', url, '--cases-db', db);
    assert.equal(run.code, 0, run.stderr);
    const alerts = parseAlerts(run.stdout);
    for (const ring of rings) {
      assert.ok(alerts.some((alert) => alert.type === 'cluster-appeared' && alert.members.every((member) => ring.members.includes(member))), 'each ring appears');
    }
    assert.ok(alerts.every((alert) => alert.topKeys.length > 0), 'alerts carry the shared objects');
    assert.deepEqual(posted.map((alert) => `${alert.type}:${alert.cluster}`), alerts.map((alert) => `${alert.type}:${alert.cluster}`));
    assert.match(run.stderr, new RegExp(`feed\\.jsonl:${lines.length + 1}: Jetstream event`));
    assert.match(run.stderr, /1 rejected/);
    const store = await DuckDbStore.open(db);
    const workspace = await openDuckDbWorkspace(store.connection, () => store.close());
    try {
      const cases = await workspace.listCases({});
      assert.equal(cases.length, new Set(alerts.map((alert) => alert.cluster)).size, 'one case per cluster');
      const first = cases.find((record) => record.clusterId === `stream:${alerts[0]?.cluster}`);
      assert.ok(first !== undefined);
      assert.deepEqual((await workspace.caseEntities(first.id)).map((entity) => entity.id).sort(), [...(alerts[0]?.members ?? [])].sort());
      const grew = alerts.filter((alert) => alert.type === 'cluster-grew' && alert.cluster === alerts[0]?.cluster).length;
      assert.equal((await workspace.notes(first.id)).length, 1 + grew, 'a note when raised and one per growth');
    } finally {
      await workspace.close();
    }
  });

  it('reads a Jetstream WebSocket', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      for (const line of lines) socket.send(line);
      socket.close(1000);
    });
    try {
      const run = await runCli('stream', '--ws', `ws://127.0.0.1:${(server.address() as AddressInfo).port}/subscribe`, '--every', '60');
      assert.equal(run.code, 0, run.stderr);
      const alerts = parseAlerts(run.stdout);
      for (const ring of rings) assert.ok(alerts.some((alert) => alert.members.every((member) => ring.members.includes(member))));
      assert.match(run.stderr, new RegExp(`${lines.length} lines`));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a bad speed and a missing input, saying which option', async () => {
    assert.match((await runCli('stream', file, '--speed', 'fast')).stderr, /--speed: "fast" is not a speed/);
    assert.match((await runCli('stream')).stderr, /give a Jetstream JSONL file or --ws URL/);
    assert.match((await runCli('stream', file, '--traces', 'near-duplicate')).stderr, /cannot be streamed/);
  });
});
