// Runs every *.test.ts under src/ with Node's own test runner (Node 20 has no glob for --test).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('src').sort();
// A test that hangs (e.g. a thread that never answers) must fail the run, not stall CI until its limit:
// ten minutes (LOCKSTEP_TEST_TIMEOUT_MS to change it) is several times the slowest test (the NATS fault tests, 1-3 min on a loaded machine).
const TEST_TIMEOUT_MS = Number(process.env.LOCKSTEP_TEST_TIMEOUT_MS ?? 10 * 60_000);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
