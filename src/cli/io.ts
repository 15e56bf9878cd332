/** Where commands write, injectable so tests can run the CLI in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
}

export function processIo(): CliIo & { exitCode: () => number } {
  let code = 0;
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    setExitCode: (value) => { code = value; },
    exitCode: () => code,
  };
}
