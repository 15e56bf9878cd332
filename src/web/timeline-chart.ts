/** A stacked bar chart of co-actions over time, one colour per trace, drawn as plain SVG. */
import type { TimelineBucket } from './api-types.js';
import { formatTime } from './dom.js';
import { traceColor } from './trace-colors.js';

const SVG = 'http://www.w3.org/2000/svg';

export const TIMELINE_DEFAULTS = { width: 720, height: 160, padding: { top: 10, right: 10, bottom: 24, left: 40 } };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Draws the cluster's timeline: buckets of the same time stack by trace; the x axis spans first to last bucket.
 * Each bar carries a `<title>` with its time, trace and count.
 */
export function timelineChart(buckets: TimelineBucket[], options: Partial<typeof TIMELINE_DEFAULTS> = {}): SVGSVGElement {
  const { width, height, padding } = { ...TIMELINE_DEFAULTS, ...options };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'timeline', role: 'img', 'data-testid': 'timeline' });
  if (buckets.length === 0) {
    const text = svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'muted' });
    text.textContent = 'No co-actions recorded for this cluster.';
    root.appendChild(text);
    return root;
  }
  const byTime = new Map<number, TimelineBucket[]>();
  for (const bucket of buckets) byTime.set(bucket.time, [...(byTime.get(bucket.time) ?? []), bucket]);
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? first;
  // The bucket width is the smallest gap between buckets (the server buckets evenly).
  const step = times.slice(1).reduce((min, time, index) => Math.min(min, time - (times[index] ?? time)), times.length > 1 ? Infinity : 1);
  const span = Math.max(last - first + step, 1);
  const maxTotal = [...byTime.values()].reduce((max, group) => Math.max(max, group.reduce((sum, bucket) => sum + bucket.coActions, 0)), 1);
  const plotWidth = width - padding.left - padding.right;
  const plotHeight = height - padding.top - padding.bottom;
  const barWidth = Math.max(1, (plotWidth * step) / span - 1);
  const x = (time: number): number => padding.left + ((time - first) / span) * plotWidth;
  const y = (value: number): number => padding.top + plotHeight - (value / maxTotal) * plotHeight;

  root.appendChild(svg('line', { x1: padding.left, y1: y(0), x2: width - padding.right, y2: y(0), class: 'axis' }));
  for (const value of [maxTotal, Math.round(maxTotal / 2)]) {
    const label = svg('text', { x: padding.left - 4, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' });
    label.textContent = String(value);
    root.appendChild(label);
  }
  for (const [time, label] of [[first, formatTime(first)], [last, formatTime(last)]] as const) {
    const text = svg('text', { x: x(time), y: height - 6, 'text-anchor': time === first ? 'start' : 'end', class: 'tick' });
    text.textContent = label;
    root.appendChild(text);
  }
  for (const time of times) {
    let base = 0;
    for (const bucket of (byTime.get(time) ?? []).sort((a, b) => a.trace.localeCompare(b.trace))) {
      const rect = svg('rect', { x: x(time), y: y(base + bucket.coActions), width: barWidth, height: y(base) - y(base + bucket.coActions), fill: traceColor(bucket.trace) });
      const title = svg('title', {});
      title.textContent = `${formatTime(time)} · ${bucket.trace} · ${bucket.coActions} co-actions`;
      rect.appendChild(title);
      root.appendChild(rect);
      base += bucket.coActions;
    }
  }
  return root;
}
