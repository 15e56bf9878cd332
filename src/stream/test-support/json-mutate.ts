/** Mutations of parsed JSON records, for property tests of the Jetstream line readers. */

/** Every path into a JSON value (object keys and array indexes), the root excluded. */
export function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths(inner, path, out);
    }
  }
  return out;
}

/** A copy of `base` with the value at some paths replaced (or deleted when the replacement is undefined). */
export function mutate(base: unknown, edits: readonly [number, unknown][]): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  for (const [pick, replacement] of edits) {
    const all = paths(copy);
    const path = all[pick % Math.max(1, all.length)];
    if (path === undefined) return replacement;
    let parent = copy;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (replacement === undefined) delete parent[last];
    else parent[last] = replacement;
  }
  return copy;
}
