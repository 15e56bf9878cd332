/**
 * DISARM techniques (DISARM Foundation framework, red framework) that a case's evidence supports,
 * by external id. Only the techniques lockstep can see evidence for; the mapping from evidence to
 * technique is deliberately literal (a trace or a signal names the behaviour).
 */
import { ANONYMISING_KINDS } from '../signals/index.js';
import type { CaseExport } from './case-export.js';

export interface DisarmTechnique { id: string; name: string; tactic: string; why: string }

const NAMES: Record<string, { name: string; tactic: string }> = {
  'T0049.002': { name: 'Flood Existing Hashtag', tactic: 'maximise-exposure' },
  'T0049.003': { name: 'Bots Amplify via Automated Forwarding and Reposting', tactic: 'maximise-exposure' },
  'T0150.004': { name: 'Repurposed Asset', tactic: 'establish-assets' },
  'T0150.008': { name: 'Bulk Created Asset', tactic: 'establish-assets' },
  'T0149.006': { name: 'IP Address Asset', tactic: 'establish-assets' },
  'T0149.007': { name: 'VPN Asset', tactic: 'establish-assets' },
  'T0149.008': { name: 'Proxy IP Address Asset', tactic: 'establish-assets' },
};

/** The DISARM page of a technique (a reference, never fetched). */
export function disarmUrl(id: string): string {
  return `https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/${id}.md`;
}

function technique(id: string, why: string): DisarmTechnique {
  const known = NAMES[id];
  if (known === undefined) throw new Error(`no DISARM name for ${id}`);
  return { id, ...known, why };
}

/**
 * The techniques the case's evidence shows, each with the evidence that shows it, ordered by id.
 * @example disarmTechniques({ ...caseExport, traces: ['co-repost'] })[0]?.id // 'T0049.003'
 */
export function disarmTechniques(input: Pick<CaseExport, 'traces' | 'signals' | 'infrastructure'>): DisarmTechnique[] {
  const found: DisarmTechnique[] = [];
  const traces = new Set(input.traces);
  const signals = new Set(input.signals);
  if (traces.has('co-repost') || traces.has('fast-repost')) found.push(technique('T0049.003', 'accounts reposted the same posts within seconds of each other'));
  if (traces.has('co-hashtag') || traces.has('hashtag-sequence')) found.push(technique('T0049.002', 'accounts pushed the same hashtags together'));
  if (signals.has('creation-burst')) found.push(technique('T0150.008', 'accounts were created in a burst'));
  if (signals.has('dormant-repurposed')) found.push(technique('T0150.004', 'dormant accounts were woken up for the operation'));
  const kinds = new Set(input.infrastructure.map((item) => item.networkKind));
  if (kinds.has('vpn')) found.push(technique('T0149.007', 'accounts reached the platform through VPN exits'));
  if (kinds.has('proxy') || kinds.has('tor')) found.push(technique('T0149.008', 'accounts reached the platform through proxies'));
  if (input.infrastructure.some((item) => !ANONYMISING_KINDS.has(item.networkKind))) found.push(technique('T0149.006', 'accounts shared fixed IP addresses'));
  return found.sort((a, b) => (a.id < b.id ? -1 : 1));
}

