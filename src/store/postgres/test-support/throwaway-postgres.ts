/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir and pg_ctl start on
 * 127.0.0.1 at a free port, trust auth, stopped and removed by `stop()`. As root (CI, this
 * container), initdb refuses to run, so the cluster is made and run as the `postgres` user
 * (runuser). Fails loudly when PostgreSQL is not installed (`.ci/run` installs postgresql-15).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../test-support/free-port.js';

const run = promisify(execFile);

function binDir(): string {
  for (const version of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install them (apt-get install -y postgresql-15) or run .ci/run');
}

export interface ThrowawayPostgres { url: string; stop(): Promise<void> }

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const exec = async (command: string, args: string[]): Promise<void> => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    await run(file, argv, { cwd: dir });
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  const port = await freePort();
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'lockstep', '--no-sync', '-E', 'UTF8']);
  await exec('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off`, 'start']);
  return {
    url: `postgres://lockstep@127.0.0.1:${port}/postgres`,
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
