/** Runs the CLI in-process and captures what it prints. */
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
