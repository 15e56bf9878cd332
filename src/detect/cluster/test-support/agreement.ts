// Partition agreement metrics for recovery tests: normalised mutual information (arithmetic
// mean normalisation, as scikit-learn's default) and the adjusted Rand index (Hubert & Arabie 1985).

function contingency(a: ArrayLike<number>, b: ArrayLike<number>): { joint: Map<string, number>; rows: Map<number, number>; cols: Map<number, number> } {
  if (a.length !== b.length) throw new Error(`partitions of different lengths: ${a.length} and ${b.length}`);
  const joint = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const key = `${a[i]},${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  return { joint, rows, cols };
}

function entropy(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) h -= (c / n) * Math.log(c / n);
  return h;
}

/** NMI in [0, 1]; 1 for identical partitions (up to labels). Two trivial partitions count as identical. */
export function normalizedMutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const { joint, rows, cols } = contingency(a, b);
  const ha = entropy(rows.values(), n);
  const hb = entropy(cols.values(), n);
  if (ha === 0 && hb === 0) return 1;
  let mi = 0;
  for (const [key, count] of joint) {
    const [x, y] = key.split(',').map(Number) as [number, number];
    mi += (count / n) * Math.log((count * n) / (rows.get(x)! * cols.get(y)!));
  }
  return mi / ((ha + hb) / 2);
}

const pairs = (x: number): number => (x * (x - 1)) / 2;

/** Adjusted Rand index: 1 for identical partitions, about 0 for independent ones. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const { joint, rows, cols } = contingency(a, b);
  let index = 0;
  for (const c of joint.values()) index += pairs(c);
  let sumRows = 0;
  for (const c of rows.values()) sumRows += pairs(c);
  let sumCols = 0;
  for (const c of cols.values()) sumCols += pairs(c);
  const expected = (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
