// Writes a CooRTweet-format CSV (object_id, account_id, content_id, timestamp_share) shaped like its
// simulate_data: many accounts sharing objects a few times at random, and groups of coordinated
// accounts sharing the same objects within seconds. Deterministic for a seed.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
// The project's generator, from the build (`npm ci` builds dist/).
import { mulberry32 } from '../dist/model/index.js';


export async function generateCoortweet(path, rows, seed = 1) {
  const rand = mulberry32(seed);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  out.write('object_id,account_id,content_id,timestamp_share\n');
  const accounts = Math.max(100, Math.floor(rows / 20));
  const objects = Math.max(100, Math.floor(rows / 5));
  const start = 1_276_041_600;
  const span = 90 * 86400;
  let buffer = '';
  let written = 0;
  let content = 0;
  const emit = async (object, account, time) => {
    buffer += `object_${object},account_${account},share_${content++},${Math.floor(time)}\n`;
    written += 1;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  };
  // 2% of rows: groups of 10 coordinated accounts sharing an object within 10 s.
  const coordinatedRows = Math.floor(rows * 0.02);
  const groups = Math.max(1, Math.floor(accounts * 0.02 / 10));
  while (written < coordinatedRows) {
    const group = Math.floor(rand() * groups);
    const object = objects + written;
    const at = start + rand() * span;
    for (let member = 0; member < 10 && written < coordinatedRows; member++) await emit(object, group * 10 + member, at + rand() * 10);
  }
  while (written < rows) await emit(Math.floor(objects * rand() ** 1.5), groups * 10 + Math.floor(rand() * (accounts - groups * 10)), start + rand() * span);
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, rows, seed] = process.argv.slice(2);
  await generateCoortweet(path, Number(rows), Number(seed ?? 1));
}
