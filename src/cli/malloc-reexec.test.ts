import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MALLOC_SETTING, mallocChildEnv } from '../config.js';
import { runInChild } from './malloc-reexec.js';
import { FIXTURES, scratchDir } from '../test-support/fixtures.js';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));

describe('detect with the malloc setting', () => {
  it('is wanted for detect on Linux unless the variable is already set', () => {
    const argv = ['node', 'lockstep', 'detect', 'in.csv'];
    assert.equal(mallocChildEnv(argv, { A: '1' }, 'linux')?.[MALLOC_SETTING.name], MALLOC_SETTING.value);
    assert.equal(mallocChildEnv(argv, { A: '1' }, 'linux')?.['A'], '1', 'the rest of the environment is passed on');
    assert.equal(mallocChildEnv(argv, { [MALLOC_SETTING.name]: '1048576' }, 'linux'), null, 'the user\'s setting wins');
    assert.equal(mallocChildEnv(argv, {}, 'darwin'), null);
    assert.equal(mallocChildEnv(['node', 'lockstep', 'ingest', 'in.csv'], {}, 'linux'), null);
    assert.equal(mallocChildEnv([...argv, '--compat', 'coortweet'], {}, 'linux'), null, 'compat holds little memory');
  });

  it('runs detect in a child that has the setting, with the same outputs and exit codes', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      // A preload (passed on with the node flags) tells, in each process, whether the setting is there.
      const probe = join(dir, 'probe.mjs');
      await writeFile(probe, `process.on('exit', () => process.stderr.write('MALLOC=' + (process.env.${MALLOC_SETTING.name} ?? 'unset') + '\\n'));\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, LOCKSTEP_PROGRESS: '0' };
      delete env[MALLOC_SETTING.name];
      const run = (out: string, extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ['--import', 'tsx', '--import', probe, ENTRY, 'detect', FIXTURES.coortweetRussian, '--out', out, '--json'], { encoding: 'utf8', env: { ...env, ...extra } });
      const child = run(join(dir, 'a'));
      assert.equal(child.status, 0, child.stderr);
      assert.deepEqual(child.stderr.match(/MALLOC=\S+/g)?.sort(), [`MALLOC=${MALLOC_SETTING.value}`, 'MALLOC=unset'], 'the child has it, the parent does not');
      assert.ok(JSON.parse(child.stdout).input_rows > 0);
      const direct = run(join(dir, 'b'), { [MALLOC_SETTING.name]: '262144' });
      assert.deepEqual(direct.stderr.match(/MALLOC=\S+/g), ['MALLOC=262144'], 'one process when the variable is set');
      for (const file of ['accounts.csv', 'edges.csv']) assert.equal(await readFile(join(dir, 'a', file), 'utf8'), await readFile(join(dir, 'b', file), 'utf8'), file);
      const failed = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'detect', join(dir, 'missing.csv'), '--out', join(dir, 'c')], { encoding: 'utf8', env });
      const failedDirect = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'detect', join(dir, 'missing.csv'), '--out', join(dir, 'c')], { encoding: 'utf8', env: { ...env, [MALLOC_SETTING.name]: '262144' } });
      assert.notEqual(failed.status, 0);
      assert.equal(failed.status, failedDirect.status, 'the parent exits with the child\'s code');
      assert.match(failed.stderr, /missing\.csv/);
    } finally {
      await cleanup();
    }
  });

  it('returns the code the child reports once its outputs are written, not waiting for its memory to go', { timeout: 60_000 }, async () => {
    const { dir, cleanup } = await scratchDir();
    try {
      // The child reports 3 on its report descriptor, then stays alive (as a large heap being taken down would).
      const pidFile = join(dir, 'pid');
      const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
        const fd = Number(process.env.LOCKSTEP_EXIT_REPORT_FD); require('fs').writeSync(fd, '3\\n'); require('fs').closeSync(fd);
        setTimeout(() => undefined, 60_000);`;
      const code = await runInChild({ ...process.env }, ['-e', script]);
      assert.equal(code, 3);
      const pid = Number(await readFile(pidFile, 'utf8'));
      assert.doesNotThrow(() => process.kill(pid, 0), 'the child is still running when the parent has its code');
      process.kill(pid, 'SIGKILL');
      // A child that ends without a report (a crash) gives its exit code.
      assert.equal(await runInChild({ ...process.env }, ['-e', 'process.exit(5)']), 5);
    } finally {
      await cleanup();
    }
  });
});
