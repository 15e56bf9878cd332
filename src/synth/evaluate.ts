/**
 * Scoring a detector against the synthetic truth: account-level precision, recall and F1, recall
 * per planted campaign and per style, and false positives per organic confounder.
 *
 * Convention for empty denominators (scikit-learn's `zero_division=0`): precision is 0 when
 * nothing is flagged, recall is 0 when the truth has no coordinated account, F1 is 0 when both
 * are 0. A benchmark score must never reward flagging nothing.
 * Flagged ids that are not in the truth count as false positives and are also reported apart
 * (`unknownFlagged`): they usually mean the detector mangled the ids.
 */
import { LockstepError } from '../model/index.js';

/** One row of truth.csv. Coordinated accounts have a campaign; organic ones a confounder. */
export interface TruthRow {
  userid: string;
  campaign: string;
  style: string;
  confounder: string;
}

export interface CampaignScore {
  campaign: string;
  style: string;
  size: number;
  recalled: number;
  recall: number;
}

export interface StyleScore {
  style: string;
  campaigns: number;
  accounts: number;
  recalled: number;
  recall: number;
}

export interface ConfounderScore {
  confounder: string;
  accounts: number;
  flagged: number;
  /** flagged / accounts (0 when the group is empty). */
  rate: number;
}

export interface Evaluation {
  accounts: number;
  coordinated: number;
  organic: number;
  flagged: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Flagged ids absent from the truth (included in falsePositives). */
  unknownFlagged: number;
  precision: number;
  recall: number;
  f1: number;
  campaigns: CampaignScore[];
  styles: StyleScore[];
  confounders: ConfounderScore[];
}

const CONFOUNDER_ORDER = ['syndicated-feed', 'fan-community', 'live-event', 'viral-cascade', 'none'];

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);

function badTruth(message: string): LockstepError {
  return new LockstepError('ingest/bad-row', `${message}. truth.csv needs one row per account with columns userid,campaign,style,confounder.`);
}

/**
 * Scores `detected` (the flagged userids) against the truth.
 * @example
 * const e = evaluate(truth, new Set(['1001', 'aGFzaA==']));
 * e.precision; e.recall; e.confounders.find((c) => c.confounder === 'fan-community')?.flagged;
 */
export function evaluate(truth: readonly TruthRow[], detected: ReadonlySet<string>): Evaluation {
  const byId = new Map<string, TruthRow>();
  for (const row of truth) {
    if (byId.has(row.userid)) throw badTruth(`userid ${row.userid} appears twice in the truth`);
    byId.set(row.userid, row);
  }
  const campaigns = new Map<string, CampaignScore>();
  const confounders = new Map<string, ConfounderScore>(CONFOUNDER_ORDER.map((c) => [c, { confounder: c, accounts: 0, flagged: 0, rate: 0 }]));
  let coordinated = 0;
  let truePositives = 0;
  let organicFlagged = 0;
  for (const row of truth) {
    const flagged = detected.has(row.userid);
    if (row.campaign !== '') {
      coordinated++;
      let score = campaigns.get(row.campaign);
      if (score === undefined) {
        score = { campaign: row.campaign, style: row.style, size: 0, recalled: 0, recall: 0 };
        campaigns.set(row.campaign, score);
      }
      score.size++;
      if (flagged) {
        score.recalled++;
        truePositives++;
      }
    } else {
      const label = row.confounder === '' ? 'none' : row.confounder;
      let score = confounders.get(label);
      if (score === undefined) {
        score = { confounder: label, accounts: 0, flagged: 0, rate: 0 };
        confounders.set(label, score);
      }
      score.accounts++;
      if (flagged) {
        score.flagged++;
        organicFlagged++;
      }
    }
  }
  let unknownFlagged = 0;
  for (const id of detected) if (!byId.has(id)) unknownFlagged++;

  const campaignScores = [...campaigns.values()].sort((a, b) => a.campaign.localeCompare(b.campaign));
  for (const score of campaignScores) score.recall = ratio(score.recalled, score.size);
  const styles = new Map<string, StyleScore>();
  for (const score of campaignScores) {
    const style = styles.get(score.style) ?? { style: score.style, campaigns: 0, accounts: 0, recalled: 0, recall: 0 };
    style.campaigns++;
    style.accounts += score.size;
    style.recalled += score.recalled;
    styles.set(score.style, style);
  }
  for (const style of styles.values()) style.recall = ratio(style.recalled, style.accounts);
  for (const score of confounders.values()) score.rate = ratio(score.flagged, score.accounts);

  const falsePositives = organicFlagged + unknownFlagged;
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, coordinated);
  return {
    accounts: truth.length, coordinated, organic: truth.length - coordinated,
    flagged: truePositives + falsePositives, truePositives, falsePositives, falseNegatives: coordinated - truePositives, unknownFlagged,
    precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    campaigns: campaignScores,
    styles: [...styles.values()].sort((a, b) => a.style.localeCompare(b.style)),
    confounders: [...confounders.values()],
  };
}

/**
 * Truth rows from a parsed truth.csv (header + records). Throws `ingest/bad-row` with the line
 * (1-based, header = line 1) of a row with the wrong number of fields or no userid.
 */
export function parseTruth(header: readonly string[], records: Iterable<readonly string[]>, file = 'truth.csv'): TruthRow[] {
  const at = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw badTruth(`${file}: the header has no '${name}' column (found: ${header.join(',')})`);
    return index;
  };
  const [userid, campaign, style, confounder] = [at('userid'), at('campaign'), at('style'), at('confounder')];
  const rows: TruthRow[] = [];
  let line = 1;
  for (const record of records) {
    line++;
    if (record.length !== header.length) throw badTruth(`${file}:${line}: ${record.length} fields, expected ${header.length}`);
    const row = { userid: record[userid] ?? '', campaign: record[campaign] ?? '', style: record[style] ?? '', confounder: record[confounder] ?? '' };
    if (row.userid === '') throw badTruth(`${file}:${line}: empty userid`);
    rows.push(row);
  }
  return rows;
}

/** Columns before `left` are text (left-aligned), the rest numbers (right-aligned). */
function table(head: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const f3 = (x: number): string => x.toFixed(3);

/** A readable report of an evaluation, for the terminal. */
export function formatEvaluation(e: Evaluation): string {
  const parts = [
    `accounts ${e.accounts} (coordinated ${e.coordinated}, organic ${e.organic}); flagged ${e.flagged}`,
    `precision ${f3(e.precision)}  recall ${f3(e.recall)}  F1 ${f3(e.f1)}  (TP ${e.truePositives}, FP ${e.falsePositives}, FN ${e.falseNegatives}` +
      `${e.unknownFlagged > 0 ? `; ${e.unknownFlagged} flagged ids not in the truth` : ''})`,
    '',
    'recall by style',
    table(['style', 'campaigns', 'accounts', 'recalled', 'recall'], e.styles.map((s) => [s.style, String(s.campaigns), String(s.accounts), String(s.recalled), f3(s.recall)])),
    '',
    'recall by campaign',
    table(['campaign', 'style', 'size', 'recalled', 'recall'], e.campaigns.map((c) => [c.campaign, c.style, String(c.size), String(c.recalled), f3(c.recall)]), 2),
    '',
    'false positives by confounder',
    table(['confounder', 'accounts', 'flagged', 'rate'], e.confounders.map((c) => [c.confounder, String(c.accounts), String(c.flagged), f3(c.rate)])),
  ];
  return `${parts.join('\n')}\n`;
}
