import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor } from '../model/index.js';
import { accountProfileSignals } from './account-profile.js';

const DAY = 86_400_000;
const actor = (fields: Partial<Actor>): Actor => ({
  platform: 'twitter', id: '1', kind: 'account', handle: null, displayName: null, createdAt: null, followers: null,
  following: null, language: null, location: null, description: null, ...fields,
});

describe('accountProfileSignals', () => {
  it('reads a mass-registration handle, an empty profile and a follow-farming shape', () => {
    const created = Date.UTC(2017, 7, 30);
    const signals = accountProfileSignals(actor({ handle: 'Ruth48213902', followers: 3, following: 900, createdAt: created }),
      { actions: 40, firstTime: created + 700 * DAY, lastTime: created + 730 * DAY });
    assert.equal(signals.handlePattern, 'name-digits');
    assert.equal(signals.handleTemplate, 'Aa#8');
    assert.equal(signals.emptyProfile, true);
    assert.equal(signals.followingPerFollower, 300);
    assert.equal(signals.ageAtFirstActionDays, 700);
    assert.equal(signals.activeSpanDays, 30);
  });

  it('leaves an ordinary account ordinary and unknowns unknown', () => {
    const signals = accountProfileSignals(actor({ handle: 'maria_lopez', description: 'teacher', followers: 250, following: 180 }),
      { actions: 0, firstTime: null, lastTime: null });
    assert.equal(signals.handlePattern, null);
    assert.equal(signals.emptyProfile, false);
    assert.equal(signals.ageAtFirstActionDays, null);
    assert.equal(accountProfileSignals(null, { actions: 0, firstTime: null, lastTime: null }).handleTemplate, null);
  });
});
