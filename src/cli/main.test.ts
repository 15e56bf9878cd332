/**
 * Start-up: `lockstep help` (and every `--help`) defines all commands but loads none of their heavy
 * modules; the store engine, the STIX schemas' validator, NATS, WebSocket, PostgreSQL and the
 * MaxMind reader load only when a command that needs them runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT } from '../test-support/fixtures.js';

const HEAVY = ['@duckdb/node-api', 'playwright-core', 'ajv', 'nats', 'ws', 'pg', 'maxmind'];

/** CommonJS packages a fresh process has loaded after running the CLI with `args` (ESM ones do not show). */
function packagesLoadedBy(args: readonly string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const { main } = await import('./src/cli/main.ts');
    await main(['node', 'lockstep', ...${JSON.stringify(args)}], { out() {}, err() {}, setExitCode() {}, exitCode: () => 0 });
    const names = Object.keys(createRequire(import.meta.url).cache).map((path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(path)?.[1]);
    process.stdout.write(JSON.stringify([...new Set(names.filter((name) => name !== undefined))]));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as string[];
}

test('lockstep help and lockstep detect --help load none of the heavy modules', { timeout: 60_000 }, () => {
  for (const args of [['help'], ['detect', '--help'], ['share', 'export', '--help']]) {
    const loaded = packagesLoadedBy(args);
    assert.ok(loaded.includes('commander'), `the probe sees CommonJS packages (${loaded.join(', ')})`);
    assert.deepEqual(HEAVY.filter((name) => loaded.includes(name)), [], `lockstep ${args.join(' ')} loaded them`);
  }
});

test('a command that needs the store still loads it when it runs', { timeout: 60_000 }, () => {
  assert.ok(packagesLoadedBy(['stats', '--db', ':memory:']).includes('@duckdb/node-api'));
});
