import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLabels } from './assemble.js';

describe('splitLabels', () => {
  it('gives each label\'s platform and id as splitting on NUL did, for labels missing a NUL or holding two', () => {
    const labels = ['bluesky\u0000did:plc:abc', 'mastodon\u0000@a@b.c', '\u0000empty-platform', 'bluesky\u0000', 'no-separator', 'x\u0000id\u0000tail', ''];
    const { actorIds, actorPlatforms } = splitLabels(labels);
    assert.deepEqual(actorPlatforms, labels.map((label) => label.split('\u0000')[0]));
    assert.deepEqual(actorIds, labels.map((label) => label.split('\u0000')[1]));
    assert.equal(actorIds[0], 'did:plc:abc');
    assert.equal(actorIds[5], 'id');
    assert.equal(actorIds[4], undefined);
  });
});
