import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { exactJaccard } from './minhash.js';
import { SHINGLE_DEFAULTS, shingleBuffer, shingleHashes, sortUnique, textShingles } from './shingles.js';
import type { ShingleMode } from './shingles.js';

const PASTA = 'The so-called protesters in Hong Kong are rioters paid by foreign forces, they attack the police and ruin the lives of ordinary people who just want to go to work';

function modeOf(raw: string): ShingleMode | null {
  const buffer = shingleBuffer();
  return shingleHashes(raw, SHINGLE_DEFAULTS, buffer) < 0 ? null : buffer.mode;
}

function jaccard(a: string, b: string): number {
  const x = textShingles(a);
  const y = textShingles(b);
  assert.ok(x !== null && y !== null, 'both texts have shingles');
  return exactJaccard(x, y);
}

describe('textShingles: what counts as the same text', () => {
  it('ignores case, punctuation, emoji, URLs, mentions and a leading RT prefix', () => {
    const variants = [
      PASTA.toUpperCase(),
      `RT @hk_truth: ${PASTA}`,
      `RT @a: RT @b_2: ${PASTA}`,
      `${PASTA}!!! 😡😡😡`,
      `${PASTA.replaceAll(',', ' ,,, ')} https://t.co/Xy12AbCdE`,
      `@PoliceHK ${PASTA} http://bit.ly/3abc?x=1 www.example.com/news t.co/abc`,
      `${PASTA}\n\n— @someone`,
    ];
    const base = textShingles(PASTA)!;
    for (const variant of variants) assert.deepEqual(textShingles(variant), base, variant);
  });

  it('drops a link that runs into the text without a space', () => {
    const zh = '香港是中国的香港，我们坚决支持香港警察严正执法';
    assert.deepEqual(textShingles(`${zh}https://t.co/AbC123`), textShingles(zh));
    assert.deepEqual(textShingles(`${PASTA}:http://example.com/x`), textShingles(PASTA));
    assert.ok(textShingles('the whole history of hong kong')!.length === 4, 'words with an h are not links');
  });

  it('folds compatibility forms (NFKC): full-width letters meet their ASCII forms', () => {
    assert.deepEqual(textShingles('ＨＯＮＧ ＫＯＮＧ ｐｏｌｉｃｅ ａｒｅ ｈｅｒｏｅｓ'), textShingles('hong kong police are heroes'));
  });

  it('keeps a hashtag as a word unless stripHashtags is set', () => {
    const tagged = `${PASTA} #StopTheViolence`;
    assert.ok(jaccard(PASTA, tagged) < 1);
    assert.deepEqual(textShingles(tagged, { stripHashtags: true }), textShingles(PASTA, { stripHashtags: true }));
  });

  it('cuts word 3-shingles, so word order matters', () => {
    const text = 'we stand with the police of hong kong';
    assert.equal(textShingles(text)!.length, 6);
    assert.equal(jaccard(text, 'hong kong of police the with stand we'), 0);
    assert.equal(textShingles(text, { wordShingle: 1 })!.length, 8);
  });

  it('gives no shingles to texts below minTokens words or minChars characters', () => {
    for (const short of ['lol', 'so true!!!', 'Stand with HK 🙏', '', '   ', '😂😂😂', 'https://t.co/abc', '@a @b @c', '香港加油', '香港加油！支持警', '香港，加油。']) {
      assert.equal(textShingles(short), null, short);
    }
    assert.equal(textShingles('we love hong kong')!.length, 2);
    assert.equal(textShingles('香港加油支持警察')!.length, 7);
    assert.equal(textShingles('lol', { minTokens: 1 })!.length, 1);
  });
});

describe('textShingles: scripts', () => {
  it('shingles Chinese by characters: one changed character keeps most bigrams', () => {
    const text = '香港是中国的香港，我们坚决支持警察依法维护社会秩序，反对一切暴力行为';
    assert.equal(modeOf(text), 'char');
    const changed = text.replace('坚决', '坚定');
    assert.ok(jaccard(text, changed) >= 0.8 && jaccard(text, changed) < 1);
    // Traditional and simplified forms are different characters: NFKC does not merge them.
    assert.ok(jaccard(text, text.replace('们', '們')) < 1);
  });

  it('shingles Japanese and Thai by characters and Korean by words', () => {
    assert.equal(modeOf('東京は日本の首都です。とても大きな都市です'), 'char');
    assert.equal(modeOf('カタカナだけのテキストデータです'), 'char');
    assert.equal(modeOf('ข่าวล่าสุดจากกรุงเทพวันนี้มีฝนตกหนัก'), 'char');
    assert.equal(modeOf('ຂ່າວລ່າສຸດຈາກວຽງຈັນມື້ນີ້'), 'char');
    assert.equal(modeOf('홍콩 경찰을 지지합니다 폭력을 멈춰라'), 'word');
    assert.equal(modeOf('Москва сегодня объявила новые меры'), 'word');
  });

  it('keeps Thai combining marks, so texts differing only in tone marks differ', () => {
    assert.ok(jaccard('ข่าวล่าสุดจากกรุงเทพวันนี้มีฝนตกหนัก', 'ขาวลาสุดจากกรุงเทพวันนีมีฝนตกหนัก') < 0.8);
  });

  it('takes the dominant script of a mixed text', () => {
    assert.equal(modeOf('香港加油 we stand with hong kong people tonight'), 'word');
    assert.equal(modeOf('支持香港警察依法执法维护秩序 support HK'), 'char');
  });

  it('reads supplementary-plane Han characters as single characters', () => {
    const text = '𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇';
    assert.equal(modeOf(text), 'char');
    assert.equal(textShingles(text)!.length, 7);
  });
});

describe('textShingles: the ASCII fast path', () => {
  const piece = fc.oneof(
    fc.constantFrom('RT @', 'rt @x: ', 'http://a.b/c', 'HTTPS://T.CO/x', 'www.', 't.co/', '@', '#', '_', ' ', ':', '.', '!!', 'Hong', 'KONG', 'police', 'h', 'the', 'TCO'),
    fc.stringMatching(/^[\x20-\x7e]{0,6}$/),
  );

  it('shingles printable ASCII exactly as the NFKC path does (same text plus a non-ASCII separator)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), fc.integer({ min: 1, max: 4 }), (pieces, stripHashtags, minTokens) => {
        const text = pieces.join('');
        const options = { stripHashtags, minTokens };
        assert.deepEqual(textShingles(text, options), textShingles(`${text} \u2026`, options));
      }),
      { numRuns: 500 },
    );
  });
});

describe('sortUnique', () => {
  it('sorts and removes duplicates like a Set, at any length', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 120 }), (values) => {
        const array = Int32Array.from(values);
        const size = sortUnique(array, array.length);
        const expected = [...new Set(values)].sort((x, y) => x - y);
        assert.deepEqual([...array.subarray(0, size)], expected);
      }),
    );
  });
});
