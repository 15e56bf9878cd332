import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planInfra } from './infra-plan.js';
import { accountLogins } from './infra-logins.js';
import { evaluateSignups, formatSignupEvaluation } from './signups-evaluate.js';
import { signupTables, SIGNUP_COLUMNS, TRUTH_SIGNUP_COLUMNS } from './signups-wave.js';

describe('planInfra', () => {
  it('is the same Internet for a seed and a different one for another; the fixed addresses sit in one country\'s business network', () => {
    assert.deepEqual(planInfra(4), planInfra(4));
    assert.notDeepEqual(planInfra(4).fixedAddresses, planInfra(5).fixedAddresses);
    const world = planInfra(4);
    assert.ok(world.fixedAddresses.length >= 3 && world.fixedAddresses.length <= 7);
    assert.ok(world.fixedAddresses.every((ip) => ip.startsWith('198.18.') && Number(ip.split('.')[2]) >= 16 && Number(ip.split('.')[2]) < 32));
    const vpn = new Set(world.vpnExits.flat());
    assert.ok(world.campaignExits.every((ip) => vpn.has(ip)));
  });
});

describe('accountLogins', () => {
  it('sends campaign accounts through the campaign\'s exits and fixed addresses only, and a fifth of ordinary accounts through VPNs', () => {
    const world = planInfra(9);
    const allowed = new Set([...world.campaignExits, ...world.fixedAddresses]);
    for (let i = 0; i < 50; i++) assert.ok(accountLogins(world, 9, `c${i}`, i, true).every((row) => allowed.has(row[2] ?? '')));
    const vpn = new Set(world.vpnExits.flat());
    let vpnUsers = 0;
    for (let i = 0; i < 2000; i++) if (accountLogins(world, 9, `o${i}`, i, false).some((row) => vpn.has(row[2] ?? ''))) vpnUsers += 1;
    assert.ok(vpnUsers > 330 && vpnUsers < 470, String(vpnUsers));
  });
});

describe('signupTables', () => {
  it('writes a time-ordered week: the wave from the network\'s infrastructure, organic sign-ups a fifth through VPNs', () => {
    const world = planInfra(2);
    const tables = signupTables(world, 2, 0.5);
    assert.deepEqual([tables.summary.fake, tables.summary.organic], [750, 3000]);
    assert.equal(tables.signups.length, 3750);
    assert.ok(tables.signups.every((row) => row.length === SIGNUP_COLUMNS.length));
    assert.ok(tables.truth.every((row) => row.length === TRUTH_SIGNUP_COLUMNS.length));
    const times = tables.signups.map((row) => Date.parse(row[1] ?? ''));
    assert.ok(times.every((time, i) => i === 0 || time >= (times[i - 1] as number)));
    assert.equal(new Set(tables.signups.map((row) => row[0])).size, 3750);
    const infrastructure = new Set([...world.campaignExits, ...world.fixedAddresses, ...world.fixedNeighbours]);
    const fakes = tables.signups.filter((_, i) => tables.truth[i]?.[1] === 'fake');
    assert.ok(fakes.every((row) => infrastructure.has(row[2] ?? '')));
    const organicVpn = tables.truth.filter((row) => row[1] === 'organic' && row[2] === '1').length;
    assert.ok(organicVpn > 500 && organicVpn < 700, String(organicVpn));
    assert.deepEqual(signupTables(world, 2, 0.5).signups, tables.signups);
  });
});

describe('evaluateSignups', () => {
  const truth = [['account_id', 'label', 'vpn'], ['f1', 'fake', '1'], ['f2', 'fake', '0'], ['o1', 'organic', '1'], ['o2', 'organic', '0']];
  it('counts block precision and recall, organic VPN users blocked, and truth rows without a score', () => {
    const evaluation = evaluateSignups(truth, [['decision', 'account_id'], ['block', 'f1'], ['challenge', 'f2'], ['block', 'o1']]);
    assert.deepEqual([evaluation.blockPrecision, evaluation.blockRecall, evaluation.stoppedOrChallengedRecall], [0.5, 0.5, 1]);
    assert.deepEqual([evaluation.organicBlocked, evaluation.organicVpnBlocked, evaluation.unscored], [1, 1, 1]);
    assert.match(formatSignupEvaluation(evaluation), /VPN users: 1/);
  });
  it('names a missing column', () => {
    assert.throws(() => evaluateSignups(truth, [['account_id', 'score']], { truth: 't.csv', scores: 's.csv' }), /s\.csv:1: needs a decision column/);
  });
});
