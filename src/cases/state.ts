/**
 * The case state machine: open → in_review → decided → actioned → closed; an appeal (with a
 * reason) reopens an actioned or closed case. Pure: a move is legal or it is not.
 */
import type { CaseStatus, Role } from './types.js';

const FORWARD: Record<CaseStatus, CaseStatus | null> = { open: 'in_review', in_review: 'decided', decided: 'actioned', actioned: 'closed', closed: null };

export interface TransitionRequest { from: CaseStatus; to: CaseStatus; appeal: boolean; reason: string | null }

/** The role a move needs: reviewers may start a review; every other move is an investigator's. */
export function transitionRole(from: CaseStatus, to: CaseStatus): Role {
  return from === 'open' && to === 'in_review' ? 'reviewer' : 'investigator';
}

/** Null when the move is legal, else why not (a sentence for the 409). */
export function transitionProblem(request: TransitionRequest): string | null {
  const { from, to, appeal, reason } = request;
  if (appeal) {
    if (to !== 'open') return `an appeal reopens a case (to: 'open'), not '${to}'`;
    if (from !== 'actioned' && from !== 'closed') return `only an actioned or closed case can be appealed; this one is '${from}'`;
    if (reason === null || reason.trim() === '') return 'an appeal needs a reason';
    return null;
  }
  if (FORWARD[from] === to) return null;
  if ((from === 'actioned' || from === 'closed') && to === 'open') return `reopening a '${from}' case is an appeal: send { to: 'open', appeal: true, reason }`;
  const next = FORWARD[from];
  return next === null ? `a '${from}' case cannot move to '${to}' (only an appeal reopens it)` : `a '${from}' case can move to '${next}', not '${to}'`;
}

/** Decisions may be made (or changed) until the case is actioned. */
export function decisionsOpen(status: CaseStatus): boolean {
  return status === 'open' || status === 'in_review' || status === 'decided';
}

/** Enforcement runs on decided cases (and re-runs on actioned ones, to retry failures). */
export function actionsAllowed(status: CaseStatus): boolean {
  return status === 'decided' || status === 'actioned';
}
