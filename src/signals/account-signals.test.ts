import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bareActor } from '../model/index.js';
import type { Actor } from '../model/index.js';
import { accountBaseline, accountSignals } from './account-signals.js';
import type { ActivitySummary } from './account-signals.js';
import type { Signal } from './evidence.js';
import { proportionSignal } from './evidence.js';
import { readChinaUsers, syntheticOrganicUsers } from './test-support/users.js';

const byName = (signals: readonly Signal[], name: string): Signal => {
  const signal = signals.find((entry) => entry.name === name);
  assert.ok(signal !== undefined, `no ${name} signal`);
  return signal;
};
const actor = (id: string, over: Partial<Actor> = {}): Actor => ({ ...bareActor('x', id), ...over });

describe('proportionSignal', () => {
  it('is neutral and low at the baseline, supports far above it, weakens far below it', () => {
    const flat = proportionSignal('s', '', 10, 100, 0.1, {});
    assert.deepEqual([flat.direction, flat.confidence], ['neutral', 'low']);
    const strong = proportionSignal('s', '', 60, 100, 0.1, {});
    assert.deepEqual([strong.direction, strong.confidence], ['supports', 'high']);
    assert.ok(strong.ratio > 5 && strong.z > 10);
    const weak = proportionSignal('s', '', 1, 200, 0.3, {});
    assert.equal(weak.direction, 'weakens');
    assert.notEqual(weak.confidence, 'high');
  });
  it('stays finite for a zero baseline and for no accounts, and discounts a searched maximum', () => {
    const zero = proportionSignal('s', '', 5, 10, 0, {});
    assert.ok(Number.isFinite(zero.ratio) && Number.isFinite(zero.z));
    assert.equal(proportionSignal('s', '', 0, 0, 0.2, {}).direction, 'neutral');
    assert.ok(proportionSignal('s', '', 8, 100, 0.02, {}, 1000).z < proportionSignal('s', '', 8, 100, 0.02, {}).z);
  });
});

describe('accountSignals', () => {
  it('reports nothing it has no data for (bare accounts) and reads one account', () => {
    const base = accountBaseline([actor('a'), actor('b')]);
    const signals = accountSignals([actor('a')], base);
    assert.deepEqual(signals.map((signal) => signal.name), ['empty_profile']);
    assert.equal(signals[0]?.confidence, 'low');
  });

  it('finds the real 2019 network\'s creation bursts, Chinese-language accounts and empty profiles (China users file vs a synthetic organic baseline)', () => {
    const china = readChinaUsers();
    assert.equal(china.length, 744);
    const signals = accountSignals(china, accountBaseline(syntheticOrganicUsers(1, 1)));
    const burst = byName(signals, 'creation_burst');
    assert.equal(burst.confidence, 'high');
    // 119 accounts were created on 2017-08-30 and 97 on 2017-08-18 (counted from the file).
    const days = burst.detail['top_days'] as { day: string; accounts: number }[];
    assert.deepEqual(days.slice(0, 2).map((day) => [day.day, day.accounts]), [['2017-08-30', 119], ['2017-08-18', 97]]);
    const language = byName(signals, 'language_mix');
    assert.equal((language.detail['top'] as { language: string }[])[0]?.language, 'zh-cn');
    assert.equal(language.count, 582);
    assert.equal(language.direction, 'supports');
    assert.equal(byName(signals, 'empty_profile').direction, 'supports');
    assert.equal(byName(signals, 'few_followers').confidence, 'high');
    // 254 accounts are hashed in the release: handle signals read the 490 real handles only.
    assert.equal(byName(signals, 'handle_high_entropy').of, 490);
  });

  it('does not flag a random sample of the baseline itself', () => {
    const organic = syntheticOrganicUsers(2, 0.5);
    const base = accountBaseline(organic);
    const sample = organic.filter((_, i) => i % 7 === 3).slice(0, 200);
    const supporting = accountSignals(sample, base).filter((signal) => signal.direction === 'supports' && signal.confidence !== 'low');
    assert.deepEqual(supporting.map((signal) => signal.name), []);
  });

  it('flags repurposed accounts and one client app when activity is known', () => {
    const old = Date.UTC(2012, 0, 1);
    const members = Array.from({ length: 12 }, (_, i) => actor(`m${i}`, { createdAt: old + i }));
    const others = Array.from({ length: 300 }, (_, i) => actor(`o${i}`, { createdAt: Date.UTC(2019, 0, 1) + i * 86_400_000 }));
    const activity = new Map<string, ActivitySummary>([
      ...members.map((member) => [member.id, { clients: new Map([['BotPoster', 30]]), first: Date.UTC(2019, 5, 1), last: Date.UTC(2019, 7, 1), earlyLanguage: 'en', lateLanguage: 'zh', longestGapDays: 900 }] as [string, ActivitySummary]),
      ...others.map((other, i) => [other.id, { clients: new Map([[i % 2 === 0 ? 'Twitter for iPhone' : 'Twitter for Android', 30]]), first: Date.UTC(2019, 5, 1), last: Date.UTC(2019, 7, 1), earlyLanguage: 'en', lateLanguage: 'en', longestGapDays: 3 }] as [string, ActivitySummary]),
    ]);
    const signals = accountSignals(members, accountBaseline([...members, ...others], activity), activity);
    assert.equal(byName(signals, 'repurposed').count, 12);
    assert.equal(byName(signals, 'repurposed').direction, 'supports');
    assert.equal(byName(signals, 'client_concentration').detail['top'] instanceof Array, true);
    assert.equal(byName(signals, 'client_concentration').confidence, 'high');
  });

  it('gives the same client signal whatever order an account\'s equally used apps arrive in (a store returns groups in no fixed order)', () => {
    const members = Array.from({ length: 10 }, (_, i) => actor(`m${i}`));
    const others = Array.from({ length: 200 }, (_, i) => actor(`o${i}`));
    const withClients = (order: [string, number][]): Map<string, ActivitySummary> => new Map([...members, ...others].map((account, i) => [account.id,
      { clients: new Map(i < members.length ? order : [['Twitter Web App', 5]]), first: 0, last: 1, earlyLanguage: null, lateLanguage: null, longestGapDays: 0 }]));
    const signal = (order: [string, number][]): Signal => {
      const activity = withClients(order);
      return byName(accountSignals(members, accountBaseline([...members, ...others], activity), activity), 'client_concentration');
    };
    const forward = signal([['b-app', 2], ['c-app', 5], ['a-app', 5]]);
    assert.deepEqual(signal([['a-app', 5], ['b-app', 2], ['c-app', 5]]), forward);
    assert.match(forward.description, /\(a-app\)/);
  });
});
