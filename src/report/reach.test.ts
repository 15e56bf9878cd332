import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestFile, RejectsFile } from '../ingest/index.js';
import { readFollowerRecord } from '../ingest/followers.js';
import { reach } from './reach.js';
import type { ReachReport } from './reach.js';
import { action, actor, openTestStore } from '../share/test-support/stores.js';
import type { TestStore } from '../share/test-support/stores.js';

const AUG = Date.UTC(2019, 7, 5);
const SEP = Date.UTC(2019, 8, 5);

describe('readFollowerRecord', () => {
  it('reads follow and join edges, and says what is wrong with a bad row', () => {
    const ok = readFollowerRecord({ entity_id: 'G1', follower_id: 'u1', time: '2019-08-05T00:00:00Z', kind: 'join' }, 'facebook');
    assert.ok(ok.ok);
    assert.equal(ok.value.kind, 'join');
    assert.equal(ok.value.targetActor, 'G1');
    assert.equal(ok.value.actorId, 'u1');
    assert.equal(ok.value.time, AUG);
    const noTime = readFollowerRecord({ entity_id: 'P1', follower_id: 'u1' });
    assert.ok(noTime.ok && noTime.value.time === 0 && noTime.value.kind === 'follow');
    assert.deepEqual(readFollowerRecord({ entity_id: '', follower_id: 'u1' }), { ok: false, reason: 'entity_id is empty' });
    assert.match((readFollowerRecord({ entity_id: 'P1', follower_id: 'u1', time: 'soon' }) as { reason: string }).reason, /time "soon"/);
    assert.match((readFollowerRecord({ entity_id: 'P1', follower_id: 'u1', kind: 'like' }) as { reason: string }).reason, /kind "like"/);
  });
});

describe('reach', () => {
  let dir: string;
  let test: TestStore;
  let report: ReachReport;
  let rejected = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockstep-reach-'));
    test = await openTestStore({
      actors: [actor('facebook', 'P1', { kind: 'page', followers: 9000 }), actor('facebook', 'P2', { kind: 'page' }), actor('facebook', 'G1', { kind: 'group' })],
      actions: [
        // A Jetstream-style follow of P1 by u5, and engagement with the entities' posts.
        action('facebook', 'u5', 'follow', SEP, { targetActor: 'P1' }),
        action('facebook', 'e1', 'like', AUG, { targetActor: 'P1', targetPost: 'p1-1' }),
        action('facebook', 'e1', 'repost', AUG, { targetActor: 'P2', targetPost: 'p2-1' }),
        action('facebook', 'e2', 'reply', SEP, { targetActor: 'P1', targetPost: 'p1-1' }),
        action('facebook', 'P2', 'repost', AUG, { targetActor: 'P1', targetPost: 'p1-1' }),
        action('facebook', 'x9', 'like', AUG, { targetActor: 'someone-else' }),
      ],
    });
    const csv = join(dir, 'followers.csv');
    await writeFile(csv, [
      'entity_id,follower_id,time,kind',
      'P1,u1,2019-08-05,follow', 'P2,u1,2019-08-06,follow', 'G1,u1,2019-09-01,join', // u1 counts once
      'P1,u2,2019-08-07,follow', 'P2,u3,2019-09-02,follow', 'P2,u3,2019-09-02,follow', // the same edge twice
      'G1,u4,,join', 'P1,P2,2019-08-08,follow', 'P1,,2019-08-08,follow', 'Q7,u8,2019-08-08,follow',
    ].join('\n'));
    const rejects = new RejectsFile(join(dir, 'rejects.csv'));
    const summary = await ingestFile(csv, test.store, rejects, { platform: 'facebook' });
    await rejects.close();
    assert.equal(summary.format, 'followers');
    rejected = summary.rejected;
    report = await reach(test.store.connection, [{ kind: 'page', id: 'P1' }, { kind: 'page', id: 'P2' }, { kind: 'group', id: 'G1' }], { period: 'month' });
  });
  after(async () => { await test.close(); await rm(dir, { recursive: true, force: true }); });

  it('counts each follower once, however many entities it followed (a union, not a sum)', () => {
    assert.equal(rejected, 1, 'the row without a follower is rejected');
    assert.equal(report.uniqueFollowers, 6); // u1 u2 u3 u4 u5 P2
    assert.equal(report.summedFollowers, 8); // P1: u1 u2 u5 P2; P2: u1 u3; G1: u1 u4
    assert.ok(report.summedFollowers > report.uniqueFollowers);
    assert.equal(report.followersAmongEntities, 1);
    assert.equal(report.followersWithoutTime, 1);
    assert.deepEqual(report.perEntity.map((entity) => [entity.id, entity.followers]), [['P1', 4], ['G1', 2], ['P2', 2]]);
    assert.equal(report.perEntity.find((entity) => entity.id === 'P1')?.profileFollowers, 9000);
  });

  it('totals the engagement others gave the entities, and breaks both down by month', () => {
    assert.deepEqual(report.engagement, { likes: 1, reposts: 1, replies: 1, quotes: 0, shares: 0, total: 3, uniqueEngagers: 2 });
    // First follows: u1 Aug 5, u2 Aug 7, P2 Aug 8 | u3 Sep 2, u5 Sep 5; u4 has no time.
    assert.deepEqual(report.byPeriod, [{ period: '2019-08', newFollowers: 3, engagements: 2 }, { period: '2019-09', newFollowers: 2, engagements: 1 }]);
  });

  it('reaches nobody for entities nobody followed', async () => {
    const none = await reach(test.store.connection, [{ kind: 'page', id: 'nobody' }]);
    assert.equal(none.uniqueFollowers, 0);
    assert.deepEqual(none.byPeriod, []);
  });
});
