/** `lockstep stats`: what the store holds, by platform, kind and time range. */
import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { StoreStats } from '../../store/index.js';
import type { CliIo } from '../io.js';

const day = (time: number | null): string => (time === null ? '-' : new Date(time).toISOString().slice(0, 16).replace('T', ' '));

export function describeStats(stats: StoreStats): string {
  const lines = ['actions:'];
  if (stats.actions.length === 0) lines.push('  (none)');
  for (const row of stats.actions) {
    lines.push(`  ${row.platform.padEnd(10)} ${row.kind.padEnd(7)} ${String(row.count).padStart(10)}   ${day(row.firstTime)} .. ${day(row.lastTime)}`);
  }
  lines.push('actors:');
  if (stats.actors.length === 0) lines.push('  (none)');
  for (const row of stats.actors) lines.push(`  ${row.platform.padEnd(10)} ${row.kind.padEnd(7)} ${String(row.count).padStart(10)}`);
  lines.push(`infrastructure observations: ${stats.infra}`, `ip networks: ${stats.networks}`);
  lines.push(`ingests: ${stats.ingests.completed} completed${stats.ingests.interrupted > 0 ? `, ${stats.ingests.interrupted} interrupted (run the same ingest again to complete it)` : ''}`);
  return lines.join('\n');
}

export function registerStats(program: Command, config: Config, io: CliIo): void {
  program.command('stats')
    .description('Counts in the store by platform, kind and time range')
    .option('--db <path>', 'store file (DuckDB)', config.dbPath)
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: { db: string; json?: boolean }) => {
      const { DuckDbStore } = await import('../../store/index.js');
      const store = await DuckDbStore.open(options.db);
      try {
        const stats = await store.stats();
        io.out(options.json === true ? JSON.stringify(stats) : describeStats(stats));
      } finally {
        await store.close();
      }
    });
}
