import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ATTRIBUTION_NOTE, attributor } from './attribution.js';
import { infraFixture } from './test-support/infra-world.js';

describe('attributor', () => {
  const fixture = infraFixture(5, 0.3);
  const attribute = attributor({ actors: fixture.actors, logins: fixture.logins, lookup: fixture.table });

  it('gives every planted campaign high-confidence supporting evidence, account and infrastructure', () => {
    for (const [campaign, members] of fixture.campaigns) {
      const evidence = attribute.evidence(members);
      assert.equal(evidence.accounts, members.length);
      assert.equal(evidence.with_logins, members.length, campaign);
      assert.ok(evidence.summary.supports.high >= 3, `${campaign}: ${JSON.stringify(evidence.summary)}`);
      const names = new Set(evidence.signals.filter((signal) => signal.direction === 'supports').map((signal) => signal.name));
      assert.ok(names.has('anonymising_exits') && names.has('creation_burst'), `${campaign}: ${[...names].join(',')}`);
      assert.equal(evidence.note, ATTRIBUTION_NOTE);
    }
  });

  it('gives a random group of ordinary accounts no high-confidence support', () => {
    const evidence = attribute.evidence(fixture.organic.filter((_, i) => i % 11 === 0).slice(0, 80));
    assert.equal(evidence.summary.supports.high, 0, JSON.stringify(evidence.signals.filter((s) => s.confidence === 'high').map((s) => [s.name, s.value, s.baseline])));
  });

  it('never names an operator: no signal or summary field carries an actor attribution', () => {
    const evidence = attribute.evidence([...fixture.campaigns.values()][0] ?? []);
    assert.doesNotMatch(JSON.stringify(evidence), /state[- ]backed|government|operator":/i);
  });

  it('answers for members it knows nothing about without failing', () => {
    const evidence = attribute.evidence(['nobody', 'nobody-else']);
    assert.deepEqual([evidence.with_profile, evidence.with_logins, evidence.signals.length], [0, 0, 0]);
  });
});
