// The check that a coordinator change leaves a job's result as it was, for the benches.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

/** sha256 of a job's result as JSON, floats as their 8 bytes (bit for bit) and typed arrays and maps as lists. */
export function resultHash(result) {
  const exact = (key, value) => {
    if (value instanceof Map || value instanceof Set) return [...value];
    if (ArrayBuffer.isView(value)) return Array.from(value);
    if (typeof value === 'number' && !Number.isInteger(value)) return Buffer.from(new Float64Array([value]).buffer).toString('hex');
    return value;
  };
  return createHash('sha256').update(JSON.stringify(result, exact)).digest('hex');
}
