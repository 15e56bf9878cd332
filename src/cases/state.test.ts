import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionsAllowed, decisionsOpen, transitionProblem, transitionRole } from './state.js';
import { CASE_STATUSES } from './types.js';
import type { CaseStatus } from './types.js';

describe('case state machine', () => {
  it('allows exactly the forward moves open → in_review → decided → actioned → closed', () => {
    const legal = new Set(['open>in_review', 'in_review>decided', 'decided>actioned', 'actioned>closed']);
    for (const from of CASE_STATUSES) {
      for (const to of CASE_STATUSES) {
        const problem = transitionProblem({ from, to, appeal: false, reason: null });
        assert.equal(problem === null, legal.has(`${from}>${to}`), `${from} → ${to}: ${problem ?? 'legal'}`);
      }
    }
  });

  it('an appeal with a reason reopens an actioned or closed case, and nothing else', () => {
    for (const from of CASE_STATUSES) {
      const problem = transitionProblem({ from, to: 'open', appeal: true, reason: 'account owner appealed' });
      assert.equal(problem === null, from === 'actioned' || from === 'closed', from);
    }
    assert.match(transitionProblem({ from: 'closed', to: 'open', appeal: true, reason: ' ' }) ?? '', /needs a reason/);
    assert.match(transitionProblem({ from: 'closed', to: 'open', appeal: false, reason: null }) ?? '', /appeal/);
    assert.match(transitionProblem({ from: 'closed', to: 'in_review', appeal: true, reason: 'x' }) ?? '', /reopens/);
  });

  it('reviewers start reviews; everything else is an investigator\'s; decisions until actioned; actions once decided', () => {
    assert.equal(transitionRole('open', 'in_review'), 'reviewer');
    assert.equal(transitionRole('in_review', 'decided'), 'investigator');
    assert.equal(transitionRole('closed', 'open'), 'investigator');
    assert.deepEqual(CASE_STATUSES.filter((status: CaseStatus) => decisionsOpen(status)), ['open', 'in_review', 'decided']);
    assert.deepEqual(CASE_STATUSES.filter((status: CaseStatus) => actionsAllowed(status)), ['decided', 'actioned']);
  });
});
