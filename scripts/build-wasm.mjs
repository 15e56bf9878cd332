// `node scripts/build-wasm.mjs [--check]`: builds wasm/json-check.ts (AssemblyScript) and writes
// its bytes, base64, to src/stream/json-check-wasm.ts, so the module ships inside the TypeScript
// build (tsc copies no .wasm) and `npm ci && npm start` needs no build step. With --check it
// writes nothing and exits 1 when the committed module is not what the source builds to
// (json-check.test.ts runs it, so the two cannot drift).
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import asc from 'assemblyscript/asc';

const root = resolve(import.meta.dirname, '..');
const target = resolve(root, 'src/stream/json-check-wasm.ts');
const FLAGS = ['wasm/json-check.ts', '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--memoryBase', '65536', '--initialMemory', '3', '--outFile', 'json-check.wasm'];

let binary = null;
const { error, stderr } = await asc.main(FLAGS, {
  baseDir: root,
  writeFile: (name, contents) => {
    if (name.endsWith('.wasm')) binary = contents;
  },
});
if (error !== null || binary === null) {
  console.error(stderr.toString());
  throw error ?? new Error('build-wasm: asc wrote no .wasm');
}
const text = `// Built by scripts/build-wasm.mjs from wasm/json-check.ts (AssemblyScript ${asc.version}); do not edit.
/** The JSON check's WebAssembly module (json-check.ts), base64. */
export const JSON_CHECK_WASM =
  '${Buffer.from(binary).toString('base64')}';
`;
if (process.argv.includes('--check')) {
  const committed = readFileSync(target, 'utf8');
  if (committed !== text) {
    console.error('src/stream/json-check-wasm.ts is not what wasm/json-check.ts builds to: run node scripts/build-wasm.mjs');
    process.exit(1);
  }
  console.log(`json-check-wasm.ts matches its source (${binary.length} bytes)`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${binary.length} bytes of wasm)`);
}
