import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizeUrl, parseListField } from '../model/index.js';
import { urlVariant } from './campaign-emit.js';
import {
  formatDate, formatTweetTime, hashedUserId, listField, mentionField, numericUserId, SNOWFLAKE_EPOCH, snowflakeId, snowflakeTime,
} from './format.js';
import { mulberry32 } from './rng.js';
import { CAMPAIGN_TEMPLATES, renderTemplate } from './text.js';

const PERIOD = { from: SNOWFLAKE_EPOCH, to: Date.UTC(2100, 0, 1) };

describe('snowflake ids', () => {
  it('equal the BigInt reference (t << 22 | low) and decode to their time', () => {
    fc.assert(fc.property(fc.integer({ min: PERIOD.from, max: PERIOD.to }), fc.integer({ min: 0, max: 0x3fffff }), (ms, low) => {
      const id = snowflakeId(ms, low);
      assert.equal(id, ((BigInt(ms - SNOWFLAKE_EPOCH) << 22n) | BigInt(low)).toString());
      assert.equal(snowflakeTime(id), ms);
    }));
  });

  it('grow with time, like real tweet ids', () => {
    assert.ok(BigInt(snowflakeId(Date.UTC(2019, 5, 1), 0x3fffff)) < BigInt(snowflakeId(Date.UTC(2019, 5, 1) + 1, 0)));
    // A real id of the sample: 894109669869985793 was posted 2017-08-06 08:15 UTC.
    assert.equal(formatTweetTime(snowflakeTime('894109669869985793'), 'minute'), '2017-08-06 08:15');
  });

  it('refuse times before the epoch instead of writing a negative id', () => {
    assert.throws(() => snowflakeId(SNOWFLAKE_EPOCH - 1, 0), RangeError);
  });
});

describe('tweet_time', () => {
  it('is the ISO time cut to minutes or seconds, with a space', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 0, 1) }), (ms) => {
      const iso = new Date(ms).toISOString();
      assert.equal(formatTweetTime(ms, 'minute'), `${iso.slice(0, 10)} ${iso.slice(11, 16)}`);
      assert.equal(formatTweetTime(ms, 'second'), `${iso.slice(0, 10)} ${iso.slice(11, 19)}`);
      assert.equal(formatDate(ms), iso.slice(0, 10));
    }));
  });
});

describe('account ids', () => {
  it('hashed ids look like the real ones: 44 base64 characters ending in =', () => {
    const rng = mulberry32(3);
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = hashedUserId(rng);
      assert.match(id, /^[A-Za-z0-9+/]{43}=$/);
      ids.add(id);
    }
    assert.equal(ids.size, 2000);
  });

  it('numeric ids match the creation date: snowflakes after mid-2016, sequential before', () => {
    const rng = mulberry32(4);
    const created = Date.UTC(2017, 7, 30, 5);
    assert.equal(formatDate(snowflakeTime(numericUserId(created, rng))), '2017-08-30');
    const old = Number(numericUserId(Date.UTC(2015, 10, 6), rng));
    assert.ok(old > 4.0e9 && old < 4.2e9, `2015-11-06 should give about 4.1e9 (the sample has 4125840934), got ${old}`);
    assert.ok(Number(numericUserId(Date.UTC(2010, 5, 1), rng)) < Number(numericUserId(Date.UTC(2013, 5, 1), rng)));
  });
});

describe('list fields', () => {
  const item = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/['"]/.test(s) && s.trim() === s && s !== '');

  it("round-trip through the ingest parser: ['a', 'b'] and []", () => {
    fc.assert(fc.property(fc.array(item, { maxLength: 5 }), (items) => {
      assert.deepEqual(parseListField(listField(items)), items);
    }));
    assert.equal(listField([]), '[]');
    assert.equal(listField(['SyrianArmy', 'Hama']), "['SyrianArmy', 'Hama']");
  });

  it('write numeric mentions bare and hashed ones quoted, like the archive', () => {
    assert.equal(mentionField(['2876420003']), '[2876420003]');
    assert.equal(mentionField(['12', 'ab+c=']), "[12, 'ab+c=']");
    assert.deepEqual(parseListField(mentionField(['12', 'ab+c='])), ['12', 'ab+c=']);
  });
});

describe('campaign text and URLs', () => {
  // normalizeUrl keeps the scheme, so http and https variants only meet once the scheme is unified:
  // that is part of what makes url-amplification hard.
  const key = (url: string): string | null => normalizeUrl(url)?.replace(/^http:/, 'https:') ?? null;

  it('URL variants differ as written but normalise to the same key (up to http/https)', () => {
    const base = 'https://hktruthnews.com/2019/06/12/panda-night-1234.html';
    fc.assert(fc.property(fc.integer(), (seed) => {
      const variant = urlVariant(mulberry32(seed), base);
      assert.equal(key(variant), key(base));
    }));
    const schemes = new Set(Array.from({ length: 50 }, (_, i) => urlVariant(mulberry32(i), base).split(':')[0]));
    assert.ok(schemes.has('http') && schemes.has('https'), 'both schemes should appear');
    const written = new Set(Array.from({ length: 50 }, (_, i) => urlVariant(mulberry32(i), base)));
    assert.ok(written.size > 20, `variants should vary, got ${written.size} distinct`);
    const withQuery = 'https://asiaview7.net/?p=4242';
    assert.equal(key(urlVariant(mulberry32(9), withQuery)), key(withQuery));
  });

  it('copypasta copies are near-identical: same core, small edits', () => {
    for (const lang of ['zh', 'en'] as const) {
      const template = CAMPAIGN_TEMPLATES[lang][0] ?? [];
      const canonical = renderTemplate(mulberry32(1), template, lang, false, null);
      const copies = Array.from({ length: 40 }, (_, i) => renderTemplate(mulberry32(100 + i), template, lang, true, i % 4 === 0 ? 'Tag1' : null));
      assert.ok(new Set(copies).size > 5, 'copies should not all be identical');
      for (const copy of copies) {
        assert.ok(Math.abs(copy.length - canonical.length) <= 16, `${copy} is too far from ${canonical}`);
      }
      assert.ok(copies.filter((copy) => copy === canonical).length < copies.length);
    }
  });
});
