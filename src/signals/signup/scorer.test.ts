import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyKnownInfra, learnInfra } from './known-infra.js';
import { createSignupScorer } from './scorer.js';
import type { SignupInput } from './scorer.js';
import { COMMON_UA, NETWORK_UA, testKnown, testTable } from './test-support/network.js';

const T0 = Date.UTC(2019, 7, 20, 12);
const signup = (over: Partial<SignupInput> = {}): SignupInput => ({
  account_id: 'n1', time: T0, ip: '192.0.2.50', user_agent: COMMON_UA, handle: 'happy_cat12', email_domain: 'gmail.com', ...over,
});

describe('learnInfra', () => {
  it('keeps the fixed addresses apart from the VPN exits, and the network user agent and template', () => {
    const known = testKnown();
    assert.equal(known.ips['203.0.113.5']?.anonymising, false);
    assert.equal(known.ips['203.0.113.5']?.accounts, 7);
    assert.equal(known.ips['198.51.100.10']?.anonymising, true);
    assert.equal(known.networks['203.0.113.0/24']?.accounts, 20);
    assert.ok(known.userAgents[NETWORK_UA] !== undefined);
    assert.equal(known.userAgents[COMMON_UA], undefined);
    assert.equal(known.templates['Aa#8'], 20);
  });

  it('learns the same state whatever order the store hands the logins over in (property)', () => {
    const members = [1, 2, 3].flatMap((cluster) => Array.from({ length: 4 }, (_, i) => ({ accountId: `c${cluster}m${i}`, handle: null, source: `cluster ${cluster}` })));
    // Every cluster logs in from the same fixed address, at the same time, so only order tells them apart.
    const logins = members.flatMap((member) => ['203.0.113.5', '198.51.100.10'].map((ip) => ({ platform: 'x', actorId: member.accountId, time: 1000, ip, userAgent: NETWORK_UA, event: 'login' as const })));
    const learn = (order: typeof logins): string => JSON.stringify(learnInfra(emptyKnownInfra(), { members, logins: order, baselineUserAgents: new Map(), baselineLogins: 0, lookup: testTable() }));
    const expected = learn(logins);
    assert.deepEqual(JSON.parse(expected).ips['203.0.113.5'].clusters, ['cluster 1', 'cluster 2', 'cluster 3']);
    fc.assert(fc.property(fc.shuffledSubarray(logins, { minLength: logins.length, maxLength: logins.length }), (order) => {
      assert.equal(learn(order), expected);
    }), { numRuns: 200 });
  });
});

describe('createSignupScorer', () => {
  it('allows an ordinary sign-up with no reasons when nothing is known', () => {
    const result = createSignupScorer(emptyKnownInfra(), testTable()).score(signup());
    assert.deepEqual(result, { account_id: 'n1', decision: 'allow', score: 0, reasons: [] });
  });

  it('blocks a template handle from a fixed address of the network, and says why', () => {
    const result = createSignupScorer(testKnown(), testTable()).score(signup({ ip: '203.0.113.6', handle: 'Mary48213902', user_agent: NETWORK_UA }));
    assert.equal(result.decision, 'block');
    assert.ok(result.score >= 0.8);
    assert.ok(result.reasons.some((reason) => reason.includes('203.0.113.6 is a fixed address 7 network accounts logged in from')), result.reasons.join('\n'));
    assert.ok(result.reasons.some((reason) => reason.includes('template Aa#8')));
  });

  it('never blocks on VPN use alone, however many strangers share the exit (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 10, max: 11 }), fc.stringMatching(/^[a-z]{3,8}_[a-z]{3,8}\d{0,2}$/), fc.integer({ min: 0, max: 3_600_000 })), { minLength: 1, maxLength: 60 }), (rows) => {
      const scorer = createSignupScorer(testKnown(), testTable());
      rows.sort((x, y) => x[2] - y[2]);
      for (const [host, handle, dt] of rows) {
        const result = scorer.score(signup({ ip: `198.51.100.${host}`, handle, time: T0 + dt }));
        assert.notEqual(result.decision, 'block', result.reasons.join('\n'));
      }
    }), { numRuns: 50 });
  });

  it('challenges a burst from one residential address and blocks a burst of one template with the network user agent', () => {
    const scorer = createSignupScorer(emptyKnownInfra(), testTable());
    const decisions = Array.from({ length: 5 }, (_, i) => scorer.score(signup({ account_id: `b${i}`, time: T0 + i * 1000, handle: `walker_${i}` })).decision);
    assert.deepEqual(decisions, ['allow', 'allow', 'challenge', 'challenge', 'challenge']);
    const known = testKnown();
    const waves = createSignupScorer(known, testTable());
    const wave = Array.from({ length: 8 }, (_, i) => waves.score(signup({ account_id: `w${i}`, time: T0 + i * 1000, ip: '198.51.100.10', handle: `Lily${String(30_000_000 + i * 104_729)}`, user_agent: NETWORK_UA })));
    assert.equal(wave[7]?.decision, 'block');
    assert.ok(wave[7]?.reasons.some((reason) => reason.includes('sign-ups with handle template Aa#8')));
  });

  it('does not block an ordinary VPN user whose handle happens to follow the network\'s template during a wave', () => {
    const scorer = createSignupScorer(testKnown(), testTable());
    for (let i = 0; i < 10; i++) scorer.score(signup({ account_id: `w${i}`, time: T0 + i * 1000, ip: '203.0.113.5', handle: `Lily${String(30_000_000 + i)}`, user_agent: NETWORK_UA }));
    const person = scorer.score(signup({ account_id: 'p', time: T0 + 20_000, ip: '198.51.100.11', handle: 'Grace19880412', user_agent: COMMON_UA }));
    assert.notEqual(person.decision, 'block', person.reasons.join('\n'));
    assert.ok(person.reasons.some((reason) => reason.includes('template Aa#8')));
  });

  it('does not count bursts on mobile carrier NAT like bursts on a home address', () => {
    const scorer = createSignupScorer(emptyKnownInfra(), testTable());
    const results = Array.from({ length: 10 }, (_, i) => scorer.score(signup({ account_id: `c${i}`, ip: '100.64.3.3', time: T0 + i * 1000, handle: `walker_${i}` })));
    assert.ok(results.every((result) => result.decision === 'allow'));
  });

  it('keeps at most maxDomains email domains, dropping first those it never blocked, and still learns a blocked one', () => {
    const scorer = createSignupScorer(testKnown(), testTable(), null, { maxDomains: 20 });
    for (let i = 0; i < 6; i++) scorer.score(signup({ account_id: `f${i}`, ip: '203.0.113.5', handle: `Ruth${String(40_000_000 + i)}`, email_domain: 'mailbox.example', time: T0 + i }));
    for (let i = 0; i < 500; i++) {
      scorer.score(signup({ account_id: `o${i}`, email_domain: `user${i}.example`, time: T0 + 10 + i }));
      assert.ok(Object.keys(scorer.state().domains).length <= 20);
    }
    assert.deepEqual(scorer.state().domains['mailbox.example'], [6, 6]);
    const next = scorer.score(signup({ account_id: 'g', handle: 'plain', email_domain: 'mailbox.example', time: T0 + 1000 }));
    assert.ok(next.reasons.some((reason) => reason.startsWith('email domain mailbox.example: 6 of its 6')), next.reasons.join('\n'));
  });

  it('learns an email domain most of whose sign-ups it blocked', () => {
    const scorer = createSignupScorer(testKnown(), testTable());
    for (let i = 0; i < 6; i++) scorer.score(signup({ account_id: `f${i}`, ip: '203.0.113.5', handle: `Ruth${String(40_000_000 + i)}`, email_domain: 'mailbox.example', time: T0 + i }));
    const next = scorer.score(signup({ account_id: 'g', handle: 'plain', email_domain: 'MAILBOX.example', time: T0 + 10 }));
    assert.ok(next.reasons.some((reason) => reason.startsWith('email domain mailbox.example: 6 of its 6')), next.reasons.join('\n'));
  });
});
