// Runs test files' fast-check properties harder, without editing them:
//   FC_MULT=10 FC_SEED=101 node --import tsx --import ./bench/fc-sweep.mjs --test src/x.test.ts
// Every fc.assert made by a test file gets numRuns × FC_MULT (its own numRuns, else 100) and, if
// FC_SEED is set, seed FC_SEED + 7919·i for its i-th assert (a fixed seed in the test is replaced);
// FC_DEBUG=1 prints each assert's runs and seed. A failure prints fast-check's seed and path: rerun
// the property with them, then keep the counterexample as a plain example test. Session 8 swept
// every property file with it (one file at a time, ×10 and ×50; see the issue 7 note).
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const real = pathToFileURL(createRequire(pathToFileURL(`${process.cwd()}/`)).resolve('fast-check').replace(/lib[\\/]cjs[\\/]fast-check\.js$/, 'lib/fast-check.js')).href;
const wrapper = `
import * as real from ${JSON.stringify(real)};
export * from ${JSON.stringify(real)};
const MULT = Number(process.env.FC_MULT ?? '1');
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
let count = 0;
export function assert(property, params) {
  const out = { ...params, numRuns: Math.max(1, Math.round((params?.numRuns ?? real.readConfigureGlobal()?.numRuns ?? 100) * MULT)) };
  if (SEED !== undefined) out.seed = (SEED + 7919 * count++) | 0;
  if (process.env.FC_DEBUG) console.error('fc-sweep', JSON.stringify({ numRuns: out.numRuns, seed: out.seed }));
  return real.assert(property, out);
}
const all = { ...real.default, assert };
export default all;
`;
const wrapperUrl = `data:text/javascript,${encodeURIComponent(wrapper)}`;
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'fast-check' && context.parentURL && !context.parentURL.startsWith('data:') && !context.parentURL.includes('/node_modules/')) return { url: ${JSON.stringify(wrapperUrl)}, shortCircuit: true };
  return next(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
