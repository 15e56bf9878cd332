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
// A test that hangs (e.g. a thread that never answers) must fail the run, not stall CI until its 90-minute
// limit. Node 20 applies --test-timeout to each test file as a whole, not only to each test, so the limit
// is 20 minutes (LOCKSTEP_TEST_TIMEOUT_MS to change it): several times the slowest file on a loaded machine.
const TEST_TIMEOUT_MS = Number(process.env.LOCKSTEP_TEST_TIMEOUT_MS ?? 20 * 60_000);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
