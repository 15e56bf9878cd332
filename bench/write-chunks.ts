// clusters.json written through writeChunks (src/cli/detect/graph-files.ts) with the stream's default
// 16 KB of write-ahead against the writer's own, alternating, from the clusters.json of a real run:
//   node --import tsx bench/write-chunks.ts bench/.data/detect-coortweet/clusters.json [rounds]
// Prints wall and the main thread's CPU per round; the written files must equal the input.
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeChunks } from '../src/cli/detect/graph-files.js';
import { clustersJsonChunks } from '../src/cli/detect/write-outputs.js';
import { loadAverage, mainCpuMs } from './thread-cpu.js';

const [input, roundsArg] = process.argv.slice(2);
if (input === undefined) throw new Error('usage: bench/write-chunks.ts CLUSTERS_JSON [rounds]');
const original = readFileSync(input, 'utf8');
const clusters = JSON.parse(original) as Parameters<typeof clustersJsonChunks>[0];

/** The writer as it was: the stream's default write-ahead. */
async function writeDefault(path: string, chunks: Iterable<string>): Promise<void> {
  const stream = createWriteStream(path, { encoding: 'utf8' });
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
}

const out = join(tmpdir(), `write-chunks-${process.pid}.json`);
const writers = { 'default 16 KB': writeDefault, writeChunks };
for (let round = 0; round < Number(roundsArg ?? 8); round++) {
  for (const name of (round % 2 === 0 ? ['default 16 KB', 'writeChunks'] : ['writeChunks', 'default 16 KB']) as (keyof typeof writers)[]) {
    const cpu = mainCpuMs();
    const started = performance.now();
    await writers[name](out, clustersJsonChunks(clusters));
    const wall = performance.now() - started;
    const same = readFileSync(out, 'utf8') === original;
    console.log(`round ${round} ${name.padEnd(13)} wall ${wall.toFixed(0)} ms, main CPU ${mainCpuMs() - cpu} ms, load ${loadAverage()}${same ? '' : ', OUTPUT DIFFERS'}`);
  }
}
rmSync(out, { force: true });
