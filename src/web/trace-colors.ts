/** One colour per trace, the same in the network, the timeline and the chips. */
const PALETTE = ['#e4572e', '#2e86ab', '#f3a712', '#76b041', '#a23b72', '#17bebb', '#8f6593', '#c3423f', '#5b8e7d', '#d4a373'];
const KNOWN: Record<string, string> = {};
let next = 0;

/** A stable colour for a trace name (first come, first served; the usual traces get fixed ones). */
export function traceColor(trace: string): string {
  const known = KNOWN[trace];
  if (known !== undefined) return known;
  const color = PALETTE[next % PALETTE.length] ?? '#888888';
  next += 1;
  KNOWN[trace] = color;
  return color;
}

/** The trace with the largest count, or null for an empty record. */
export function dominantTrace(traces: Record<string, number>): string | null {
  let best: string | null = null;
  let bestCount = -Infinity;
  for (const [trace, count] of Object.entries(traces)) {
    if (count > bestCount) {
      best = trace;
      bestCount = count;
    }
  }
  return best;
}
