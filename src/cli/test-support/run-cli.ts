/** Runs the CLI in-process and captures what it prints. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Buffer } from 'node:buffer';
import { main } from '../main.js';

export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const code = await main(['node', 'lockstep', ...args], {
    out: (text) => { stdout += `${text}\n`; },
    err: (text) => { stderr += `${text}\n`; },
    setExitCode: (value) => { exitCode = value; },
    exitCode: () => exitCode,
  });
  return { code, stdout, stderr };
}

/**
 * `lockstep ARGS` as a child process through tsx (tests that kill workers or run several at once):
 * its exit code and output. The child is pushed to `children` so the test's `after` can kill it.
 */
export function spawnCli(children: ChildProcess[], args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '', err = '';
    child.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
