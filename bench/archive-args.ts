// Command-line flags shared by the benches that read synthetic archives (slow-ceiling.ts,
// push-candidates.ts): `--archives 7x10,1x10` (seed x scale) and `--data DIR`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);

/** The value after `--name`, or `fallback` when the flag is absent. */
export const flag = (name: string, fallback: string): string => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] !== undefined ? (argv[at + 1] as string) : fallback;
};

/** Whether the bare switch `--name` is given. */
export const has = (name: string): boolean => argv.includes(`--${name}`);

/** `--archives`: [seed, scale] pairs. */
export const archives = flag('archives', '7x10').split(',').map((spec) => spec.split('x').map(Number) as [number, number]);

/** `--data`: the directory holding sS-xX archives and their detect-sS-xX outputs. */
export const dataDir = flag('data', join('bench', '.data', 'qb'));

/** An archive's truth.csv: campaign and style per campaign account (organic accounts are absent). */
export interface Truth { campaign: Map<string, string>; style: Map<string, string> }

export function readTruth(file: string): Truth {
  const campaign = new Map<string, string>();
  const style = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [user, id, kind] = line.split(',');
    if (user === undefined || id === undefined || id === '') continue;
    campaign.set(user, id);
    style.set(user, kind ?? '');
  }
  return { campaign, style };
}
