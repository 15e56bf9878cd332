/**
 * The public disclosure report as one self-contained HTML page (inline SVG charts, no scripts,
 * no external resources), in the shape platforms publish: what was removed, its reach, when it
 * was active, when its accounts were made, its network, what it pushed, sample posts, the DISARM
 * techniques, the attribution with its confidence, and a one-paragraph summary.
 */
import type { Attribution } from '../share/case-export.js';
import type { DisarmTechnique } from '../share/disarm.js';
import type { ReachReport } from './reach.js';

export interface Counted { value: string; count: number }
export interface ReportData {
  title: string;
  caseId: string;
  producer: string;
  counts: { accounts: number; pages: number; groups: number };
  reach: ReachReport | null;
  /** Posts per day (YYYY-MM-DD). */
  timeline: Counted[];
  /** Accounts created per month (YYYY-MM). */
  creation: Counted[];
  hashtags: Counted[];
  urls: Counted[];
  domains: Counted[];
  samples: { time: number; author: string; text: string }[];
  techniques: DisarmTechnique[];
  attribution: Attribution | null;
  network: { nodes: string[]; edges: { source: string; target: string; weight: number }[] };
  firstSeen: number | null;
  lastSeen: number | null;
}

const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
const day = (time: number | null): string => (time === null ? '?' : new Date(time).toISOString().slice(0, 10));

/** A bar chart of counts, as inline SVG. */
export function barChart(items: readonly Counted[], options: { width?: number; height?: number; label: string }): string {
  const width = options.width ?? 640;
  const height = options.height ?? 160;
  if (items.length === 0) return `<p class="empty">No data for ${esc(options.label)}.</p>`;
  const max = Math.max(...items.map((item) => item.count), 1);
  const bar = width / items.length;
  const bars = items.map((item, index) => {
    const h = Math.max(1, Math.round((item.count / max) * (height - 20)));
    return `<rect x="${(index * bar + 1).toFixed(1)}" y="${height - 16 - h}" width="${Math.max(1, bar - 2).toFixed(1)}" height="${h}" fill="#3b6ea5"><title>${esc(item.value)}: ${item.count}</title></rect>`;
  }).join('');
  const first = items[0]?.value ?? '';
  const last = items[items.length - 1]?.value ?? '';
  return `<svg role="img" aria-label="${esc(options.label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars}
    <text x="0" y="${height - 2}" font-size="11">${esc(first)}</text><text x="${width}" y="${height - 2}" font-size="11" text-anchor="end">${esc(last)}</text>
    <text x="${width}" y="12" font-size="11" text-anchor="end">max ${max.toLocaleString('en-US')}</text></svg>`;
}

/** The network on a circle: nodes evenly spaced, edges as lines whose width follows the weight. */
export function networkPicture(network: ReportData['network'], size = 420): string {
  if (network.nodes.length === 0) return '<p class="empty">No network recorded.</p>';
  const r = size / 2 - 14;
  const at = new Map(network.nodes.map((node, index) => {
    const angle = (2 * Math.PI * index) / network.nodes.length;
    return [node, { x: size / 2 + r * Math.cos(angle), y: size / 2 + r * Math.sin(angle) }];
  }));
  const maxWeight = Math.max(...network.edges.map((edge) => edge.weight), 1);
  const lines = network.edges.map((edge) => {
    const a = at.get(edge.source);
    const b = at.get(edge.target);
    return a === undefined || b === undefined ? '' : `<line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" stroke="#7a8ca5" stroke-opacity="0.6" stroke-width="${(0.5 + 2.5 * (edge.weight / maxWeight)).toFixed(2)}"/>`;
  }).join('');
  const dots = [...at.values()].map((p) => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="4" fill="#c0392b"/>`).join('');
  return `<svg role="img" aria-label="network of the removed accounts" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${lines}${dots}</svg>`;
}

/** The one-paragraph summary, in the style platforms publish. */
export function networkSummary(data: ReportData): string {
  const removed = [data.counts.accounts > 0 ? plural(data.counts.accounts, 'account') : null, data.counts.pages > 0 ? plural(data.counts.pages, 'page') : null,
    data.counts.groups > 0 ? plural(data.counts.groups, 'group') : null].filter((part) => part !== null).join(', ');
  const reach = data.reach === null || data.reach.uniqueFollowers === 0 ? '' : ` About ${data.reach.uniqueFollowers.toLocaleString('en-US')} accounts followed or joined one or more of them.`;
  const pushed = data.hashtags.length === 0 ? '' : ` The network pushed ${data.hashtags.slice(0, 3).map((item) => `#${item.value}`).join(', ')}.`;
  const how = data.techniques.length === 0 ? '' : ` It ${data.techniques.map((technique) => technique.why.replace(/^accounts /, '')).join('; ')}.`;
  const who = data.attribution === null ? ' We do not attribute this activity to a named actor.'
    : ` We attribute it to ${data.attribution.actor} (confidence ${data.attribution.confidence}/100): ${data.attribution.statement}`;
  return `We removed ${removed || 'no entities'} for coordinated inauthentic behaviour, active from ${day(data.firstSeen)} to ${day(data.lastSeen)}.${pushed}${how}${reach}${who}`;
}

function table(items: readonly Counted[], heading: string): string {
  if (items.length === 0) return `<p class="empty">No ${esc(heading.toLowerCase())}.</p>`;
  return `<table><thead><tr><th>${esc(heading)}</th><th>posts</th></tr></thead><tbody>${items.map((item) => `<tr><td>${esc(item.value)}</td><td>${item.count}</td></tr>`).join('')}</tbody></table>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1d2430;max-width:820px;margin:24px auto;padding:0 16px}
h1{font-size:24px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d5dbe3}
.figures{display:flex;gap:16px;flex-wrap:wrap}.figure{background:#f1f4f8;padding:10px 14px;border-radius:6px}
.figure b{display:block;font-size:22px}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:3px 6px;border-bottom:1px solid #e3e7ec;word-break:break-all}
.empty{color:#6a7380}blockquote{margin:8px 0;padding:6px 10px;border-left:3px solid #3b6ea5;background:#f7f9fb}
@media print{h2{break-after:avoid}svg{break-inside:avoid}}`;

/**
 * The report page.
 * @example await writeFile('report.html', reportHtml(await loadReportData(...)));
 */
export function reportHtml(data: ReportData): string {
  const figure = (value: number | string, label: string): string => `<div class="figure"><b>${typeof value === 'number' ? value.toLocaleString('en-US') : esc(value)}</b>${esc(label)}</div>`;
  const reach = data.reach;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}: disclosure</title><style>${STYLE}</style></head><body>
<h1>${esc(data.title)}</h1>
<p>Disclosure by ${esc(data.producer)} (case ${esc(data.caseId)}).</p>
<h2>Summary</h2><p id="summary">${esc(networkSummary(data))}</p>
<h2>Removed</h2><div class="figures">${figure(data.counts.accounts, 'accounts')}${figure(data.counts.pages, 'pages')}${figure(data.counts.groups, 'groups')}
${reach === null ? '' : `${figure(reach.uniqueFollowers, 'unique followers and members')}${figure(reach.engagement.total, 'engagements')}`}</div>
${reach === null ? '' : `<p>Reach counts each follower once, however many of the removed entities it followed (the per-entity counts would sum to ${reach.summedFollowers.toLocaleString('en-US')}).</p>`}
<h2>Activity over time</h2>${barChart(data.timeline, { label: 'posts per day' })}
<h2>Account creation dates</h2>${barChart(data.creation, { label: 'accounts created per month' })}
<h2>Network</h2>${networkPicture(data.network)}<p>${plural(data.network.nodes.length, 'account')}, ${plural(data.network.edges.length, 'link')} of coordinated activity.</p>
<h2>Top hashtags</h2>${table(data.hashtags.map((item) => ({ ...item, value: `#${item.value}` })), 'Hashtag')}
<h2>Top domains</h2>${table(data.domains, 'Domain')}
<h2>Top URLs</h2>${table(data.urls, 'URL')}
<h2>Sample posts</h2>${data.samples.length === 0 ? '<p class="empty">No posts.</p>' : data.samples.map((post) => `<blockquote>${esc(post.text)}<br><small>${esc(post.author)}, ${new Date(post.time).toISOString().slice(0, 16).replace('T', ' ')} UTC</small></blockquote>`).join('')}
<h2>Techniques (DISARM)</h2>${data.techniques.length === 0 ? '<p class="empty">None identified.</p>' : `<table><tbody>${data.techniques.map((technique) => `<tr><td>${esc(technique.id)}</td><td>${esc(technique.name)}</td><td>${esc(technique.why)}</td></tr>`).join('')}</tbody></table>`}
<h2>Attribution</h2>${data.attribution === null ? '<p>No attribution recorded.</p>' : `<p>${esc(data.attribution.statement)} <b>Actor:</b> ${esc(data.attribution.actor)}. <b>Confidence:</b> ${data.attribution.confidence}/100.</p>`}
</body></html>`;
}
