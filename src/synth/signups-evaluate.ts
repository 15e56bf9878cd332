/**
 * How sign-up scoring did on a synthetic week: block precision and recall against
 * truth_signups.csv, and the cases that matter most (ordinary users blocked, VPN users above all).
 */
import { LockstepError } from '../model/index.js';

export interface SignupEvaluation {
  fakes: number;
  organic: number;
  organicVpn: number;
  blocked: number;
  blockedFakes: number;
  blockPrecision: number;
  blockRecall: number;
  /** Fakes blocked or challenged. */
  stoppedOrChallengedRecall: number;
  organicBlocked: number;
  organicVpnBlocked: number;
  organicChallenged: number;
  /** Truth rows without a score (a scoring run that skipped rows). */
  unscored: number;
}

const column = (header: readonly string[], name: string, file: string): number => {
  const at = header.indexOf(name);
  if (at < 0) throw new LockstepError('ingest/unreadable', `${file}:1: needs a ${name} column`);
  return at;
};

/** Scores the decisions (rows of scores.csv) against the truth (rows of truth_signups.csv), headers first. */
export function evaluateSignups(truth: readonly (readonly string[])[], scores: readonly (readonly string[])[], files = { truth: 'truth_signups.csv', scores: 'scores.csv' }): SignupEvaluation {
  const [truthHeader = [], ...truthRows] = truth;
  const [scoreHeader = [], ...scoreRows] = scores;
  const tId = column(truthHeader, 'account_id', files.truth);
  const tLabel = column(truthHeader, 'label', files.truth);
  const tVpn = column(truthHeader, 'vpn', files.truth);
  const sId = column(scoreHeader, 'account_id', files.scores);
  const sDecision = column(scoreHeader, 'decision', files.scores);
  const decisions = new Map(scoreRows.map((row) => [row[sId] ?? '', row[sDecision] ?? '']));
  const result: SignupEvaluation = { fakes: 0, organic: 0, organicVpn: 0, blocked: 0, blockedFakes: 0, blockPrecision: 1, blockRecall: 0, stoppedOrChallengedRecall: 0, organicBlocked: 0, organicVpnBlocked: 0, organicChallenged: 0, unscored: 0 };
  let challengedFakes = 0;
  for (const row of truthRows) {
    const decision = decisions.get(row[tId] ?? '');
    if (decision === undefined) result.unscored += 1;
    const fake = row[tLabel] === 'fake';
    const vpn = row[tVpn] === '1';
    if (fake) result.fakes += 1; else result.organic += 1;
    if (!fake && vpn) result.organicVpn += 1;
    if (decision === 'block') {
      result.blocked += 1;
      if (fake) result.blockedFakes += 1; else { result.organicBlocked += 1; if (vpn) result.organicVpnBlocked += 1; }
    } else if (decision === 'challenge') {
      if (fake) challengedFakes += 1; else result.organicChallenged += 1;
    }
  }
  const round = (value: number): number => Math.round(value * 10_000) / 10_000;
  result.blockPrecision = result.blocked === 0 ? 1 : round(result.blockedFakes / result.blocked);
  result.blockRecall = result.fakes === 0 ? 0 : round(result.blockedFakes / result.fakes);
  result.stoppedOrChallengedRecall = result.fakes === 0 ? 0 : round((result.blockedFakes + challengedFakes) / result.fakes);
  return result;
}

export function formatSignupEvaluation(evaluation: SignupEvaluation): string {
  return [
    `sign-ups: ${evaluation.fakes} fake, ${evaluation.organic} organic (${evaluation.organicVpn} through VPNs)`,
    `  block precision ${evaluation.blockPrecision.toFixed(4)}, recall ${evaluation.blockRecall.toFixed(4)} (blocked or challenged: ${evaluation.stoppedOrChallengedRecall.toFixed(4)})`,
    `  organic blocked: ${evaluation.organicBlocked} (VPN users: ${evaluation.organicVpnBlocked}); organic challenged: ${evaluation.organicChallenged}`,
    ...(evaluation.unscored > 0 ? [`  ${evaluation.unscored} sign-ups of the truth have no score`] : []),
  ].join('\n');
}
