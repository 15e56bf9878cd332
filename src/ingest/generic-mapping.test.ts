// node:test's describe/it return promises that the test runner itself awaits.
 
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { TARGET_FIELDS, mapGenericRecord, parseColumnMapping, parseMappedTime } from './generic-mapping.js';

const DATA = '/work/shared/data';

function readCsv(path: string, options: { toLine?: number } = {}): Record<string, string>[] {
  return parse(readFileSync(`${DATA}/${path}`, 'utf8'), {
    columns: true, skip_records_with_error: true, ...(options.toLine === undefined ? {} : { to_line: options.toLine }),
  }) as Record<string, string>[];
}

function badMappingMessage(spec: string, columns?: readonly string[]): string {
  try {
    parseColumnMapping(spec, columns);
  } catch (error) {
    assert.ok(error instanceof LockstepError);
    assert.equal(error.code, 'ingest/bad-mapping');
    return error.message;
  }
  assert.fail(`"${spec}" was accepted`);
}

describe('parseColumnMapping', () => {
  it('reads field=column pairs, with fields in any case and spaces around them', () => {
    assert.deepEqual(parseColumnMapping(' Account = user id ,time=created_at,urls=links,', ['user id', 'created_at', 'links']), {
      account: 'user id', time: 'created_at', urls: 'links',
    });
  });

  it('keeps an = inside a column name', () => {
    assert.equal(parseColumnMapping('account=a=b,time=t').account, 'a=b');
  });

  for (const [spec, columns, message] of [
    ['', undefined, /account and time must be mapped/],
    ['account=user_id', undefined, /time must be mapped/],
    ['account=user_id,time=t,user=x', undefined, /unknown field "user"; the fields are id, account, time/],
    ['account=user_id,time=t,time=u', undefined, /field "time" is mapped twice/],
    ['account=user_id,time', undefined, /"time" is not of the form field=column/],
    ['account=user_id,time=', undefined, /"time=" is not of the form/],
    ['account=User_ID,time=t', ['user_id', 't'], /column "User_ID" \(for account\) is not in the input \(did you mean "user_id"\?\)/],
    ['account=uid,time=t', ['user_id', 't'], /column "uid" \(for account\) is not in the input; its columns are "user_id", "t"/],
  ] as const) {
    it(`refuses ${JSON.stringify(spec)} with a message that says what to do`, () => {
      const text = badMappingMessage(spec, columns);
      assert.match(text, message);
      assert.match(text, /^--map: .*Example: --map account=/);
    });
  }
});

describe('parseMappedTime', () => {
  const cases: [unknown, number | null][] = [
    ['2019-08-19T08:02:11.000Z', Date.UTC(2019, 7, 19, 8, 2, 11)],
    ['2019-08-19T08:02:11+08:00', Date.UTC(2019, 7, 19, 0, 2, 11)],
    ['2019-08-19T08:02:11.5-0130', Date.UTC(2019, 7, 19, 9, 32, 11, 500)],
    ['2019-08-19T08:02:11', Date.UTC(2019, 7, 19, 8, 2, 11)],
    ['2017-08-06 08:15', Date.UTC(2017, 7, 6, 8, 15)],
    ['2017-08-06 08:15:59', Date.UTC(2017, 7, 6, 8, 15, 59)],
    ['2024-02-29 00:00', Date.UTC(2024, 1, 29)],
    ['1623881091', 1623881091000],
    [' 1623881091.25 ', 1623881091250],
    [1623881091, 1623881091000],
    [1623881091123, 1623881091123],
    ['1623881091123', 1623881091123],
    [1725911162329308, 1725911162329],
    ['1725911162329308123', 1725911162329],
    ['1.623881091e9', 1623881091000],
    // The magnitude boundaries: seconds below 1e11, ms below 1e14, µs below 1e17, ns below 1e20.
    ['99999999999', 99_999_999_999_000], [1e11, 1e11], [99_999_999_999_999, 99_999_999_999_999], [1e14, 1e11], [1e17, 1e11],
    ['2023-02-29 10:00', null],
    ['2019-08-19', null],
    ['2019-08-19T25:00', null],
    ['19/08/2019 08:02', null],
    ['yesterday', null],
    ['', null],
    [-5, null],
    ['-1623881091', null],
    [Number.NaN, null],
    [1e21, null],
    [{ seconds: 5 }, null],
    [null, null],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${typeof input === 'string' ? JSON.stringify(input) : String(input)} as ${String(expected)}`, () => {
      assert.equal(parseMappedTime(input), expected);
    });
  }
});

describe('mapGenericRecord on real files', () => {
  it('reads all 35,125 rows of the CooRTweet Russian sample', () => {
    const rows = readCsv('coortweet/russian_coord_tweets.csv');
    const mapping = parseColumnMapping('account=account_id,time=timestamp_share,id=content_id,target_post=object_id', Object.keys(rows[0] ?? {}));
    const results = rows.map((row) => mapGenericRecord(row, mapping, { platform: 'twitter' }));
    assert.equal(rows.length, 35_125);
    assert.deepEqual(results.flatMap((result) => result.problems), []);
    const actions = results.flatMap((result) => result.actions);
    assert.equal(actions.length, 35_125);
    assert.deepEqual(actions[0], {
      platform: 'twitter', id: '114e22f1b2b648528277b76f0b0224e7', actorId: '0fb4232d1b7b37069c13ee17579bd10e', kind: 'post',
      time: 1623881091000, targetPost: '85d2d12251a735ce05255061f7f231e2', targetActor: null, text: null, language: null,
      urls: [], hashtags: [], mentions: [], mediaHashes: [], clientApp: null,
    });
    const years = new Set(actions.map((action) => new Date(action.time).getUTCFullYear()));
    assert.deepEqual([...years], [2021]);
    assert.ok(results.every((result) => result.actors.length === 1 && result.actors[0]?.id === result.actions[0]?.actorId));
  });

  it('reads the Information Operations tweets sample with its minute times and list fields', () => {
    const rows = readCsv('twitter-io/russia_201901_1_tweets_sample.csv');
    const mapping = parseColumnMapping(
      'id=tweetid,account=userid,time=tweet_time,text=tweet_text,language=tweet_language,client=tweet_client_name,'
      + 'hashtags=hashtags,urls=urls,mentions=user_mentions,target_post=retweet_tweetid,target_actor=retweet_userid,'
      + 'handle=user_screen_name,display_name=user_display_name',
      Object.keys(rows[0] ?? {}),
    );
    const results = rows.map((row) => mapGenericRecord(row, mapping, { platform: 'twitter' }));
    assert.equal(results.length, 407);
    assert.deepEqual(results.flatMap((result) => result.problems), []);
    const first = results[0]?.actions[0];
    assert.equal(first?.id, '894109669869985793');
    assert.equal(first?.time, Date.UTC(2017, 7, 6, 8, 15));
    assert.deepEqual(first?.hashtags, ['syrianarmy', 'hama', 'insidesyriamc']);
    assert.deepEqual(first?.urls, ['https://en.insidesyriamc.com/2017/08/06/new-convoy-of-syrian-army-arrived-in-hama/']);
    assert.equal(first?.clientApp, 'WordPress.com');
    assert.deepEqual(results[0]?.actors[0], {
      platform: 'twitter', id: '4125840934', kind: 'account', handle: 'Inside_Syria', displayName: 'Inside Syria MC',
      createdAt: null, followers: null, following: null, language: null, location: null, description: null,
    });
    assert.ok(results.some((result) => (result.actions[0]?.mentions.length ?? 0) > 0), 'some tweets mention accounts');
  });

  it('reads rows of the CooRTweet German elections file, where an empty cell is no object', () => {
    const rows = readCsv('coortweet/german_elections.csv', { toLine: 2001 });
    const mapping = parseColumnMapping('account=account_id,id=post_id,urls=url_id,hashtags=hashtag_id,media=phash_id,time=timestamp');
    const results = rows.map((row) => mapGenericRecord(row, mapping, { platform: 'facebook' }));
    assert.equal(results.length, 2000);
    assert.deepEqual(results.flatMap((result) => result.problems), []);
    const first = results[0]?.actions[0];
    assert.deepEqual([first?.id, first?.actorId, first?.urls, first?.hashtags, first?.mediaHashes], ['129235', 'fb_12670', ['23678'], [], []]);
  });
});

describe('mapGenericRecord fields', () => {
  const mapping = parseColumnMapping('account=user,time=at,kind=type,text=body,urls=links,hashtags=tags,mentions=who,media=img,platform=site,id=post');

  it('reads each list form', () => {
    const lists = (cells: Record<string, unknown>) => {
      const action = mapGenericRecord({ user: 'u', at: '1623881091', ...cells }, mapping).actions[0];
      return [action?.urls, action?.hashtags, action?.mentions, action?.mediaHashes];
    };
    assert.deepEqual(lists({ links: "['https://a.example/x', 'https://b.example/y']", tags: '[HK, Hong Kong]', who: '["Alice", "@bob"]', img: '[]' }),
      [['https://a.example/x', 'https://b.example/y'], ['hk', 'hong kong'], ['Alice', 'bob'], []]);
    assert.deepEqual(lists({ links: 'https://a.example/x,y https://b.example/', tags: '#a,#b #c', who: 'x|y', img: 'f00 ba4' }),
      [['https://a.example/x,y', 'https://b.example/'], ['a', 'b', 'c'], ['x', 'y'], ['f00', 'ba4']]);
    assert.deepEqual(lists({ links: ['https://a.example/'], tags: ['A', 'a'], who: [12, 'z'], img: 77 }),
      [['https://a.example/'], ['a'], ['12', 'z'], ['77']]);
    assert.deepEqual(lists({ links: 'https://a.example/p?q=1 | https://b.example/', tags: '', who: null, img: '  ' }),
      [['https://a.example/p?q=1', 'https://b.example/'], [], [], []]);
  });

  it('defaults the kind to post, reads other tools\' kind names, and refuses unknown kinds', () => {
    const kindOf = (type: unknown) => mapGenericRecord({ user: 'u', at: '1623881091', type }, mapping).actions[0]?.kind;
    assert.deepEqual([kindOf(undefined), kindOf(''), kindOf('REPLY'), kindOf('retweet'), kindOf('share')], ['post', 'post', 'reply', 'repost', 'share']);
    const bogus = mapGenericRecord({ user: 'u', at: '1623881091', type: 'teleport' }, mapping);
    assert.deepEqual([bogus.actions.length, bogus.actors.length], [0, 0]);
    assert.match(bogus.problems[0] ?? '', /^kind \(column "type"\): "teleport" is not one of post, repost, reply/);
  });

  it('takes the platform from its column, else from the options', () => {
    assert.equal(mapGenericRecord({ user: 'u', at: '1', site: 'mastodon' }, mapping, { platform: 'x' }).actions[0]?.platform, 'mastodon');
    assert.equal(mapGenericRecord({ user: 'u', at: '1', site: '' }, mapping, { platform: 'x' }).actors[0]?.platform, 'x');
    assert.equal(mapGenericRecord({ user: 'u', at: '1' }, mapping).actions[0]?.platform, 'generic');
  });

  it('gives a record without an id the same synthetic id every time', () => {
    const row = { user: 'u1', at: '2021-06-16 22:04:51', body: '同じ文章', links: 'https://a.example/' };
    const id = mapGenericRecord(row, mapping).actions[0]?.id;
    assert.match(id ?? '', /^synthetic:[0-9a-f]{32}$/);
    assert.equal(mapGenericRecord({ ...row }, mapping).actions[0]?.id, id);
    // The same values under other column names and another time notation are the same action.
    const renamed = parseColumnMapping('time=t,account=a,urls=l,text=x');
    assert.equal(mapGenericRecord({ a: 'u1', t: 1623881091, x: '同じ文章', l: ['https://a.example/'] }, renamed).actions[0]?.id, id);
    assert.notEqual(mapGenericRecord({ ...row, body: '違う文章' }, mapping).actions[0]?.id, id);
    assert.notEqual(mapGenericRecord({ ...row, user: 'u2' }, mapping).actions[0]?.id, id);
  });

  it('refuses records without an account or a readable time, and says which column', () => {
    assert.deepEqual(mapGenericRecord({ user: '  ', at: '1623881091' }, mapping).problems, ['account (column "user"): missing; not ingested']);
    assert.deepEqual(mapGenericRecord({ user: 'u', at: 'noon' }, mapping).problems,
      ['time (column "at"): "noon" is not an ISO 8601 date-time or a unix time; not ingested']);
    assert.equal(mapGenericRecord({}, mapping).problems.length, 2);
  });

  it('does not find columns on the object prototype', () => {
    const protoMapping = parseColumnMapping('account=constructor,time=toString');
    const result = mapGenericRecord({}, protoMapping);
    assert.equal(result.actions.length, 0);
    assert.equal(result.problems.length, 2);
  });

  it('refuses an id that JSON already rounded, and ignores unreadable optional values with a problem', () => {
    const rounded = mapGenericRecord({ user: 1163369341466386432, at: 1 }, mapping);
    assert.equal(rounded.actions.length, 0);
    assert.match(rounded.problems.join('\n'), /too large to be exact in JSON/);
    const partly = mapGenericRecord({ user: 42, at: 1, body: { html: '<p>' }, tags: [{ tag: 'x' }] }, mapping);
    assert.equal(partly.actions[0]?.actorId, '42');
    assert.equal(partly.actions[0]?.text, null);
    assert.deepEqual(partly.problems, [
      'text (column "body"): expected text, got an object; left empty',
      'hashtags (column "tags"): a list with items that are not text; ignored',
    ]);
  });
});

describe('mapGenericRecord properties', () => {
  const columns = ['a', 'b', 'c', 'constructor', '__proto__', 'd e'];
  const mappingArb = fc.record({
    account: fc.constantFrom(...columns), time: fc.constantFrom(...columns),
    extra: fc.uniqueArray(fc.tuple(fc.constantFrom(...TARGET_FIELDS.filter((f) => f !== 'account' && f !== 'time')), fc.constantFrom(...columns)), { selector: ([field]) => field, maxLength: 8 }),
  }).map(({ account, time, extra }) => parseColumnMapping([`account=${account}`, `time=${time}`, ...extra.map(([f, c]) => `${f}=${c}`)].join(',')));
  const recordArb = fc.dictionary(fc.constantFrom(...columns), fc.oneof(fc.string(), fc.anything(), fc.jsonValue(), fc.integer().map(String)));

  it('never throws, and gives one action and its actor or a problem that says it was not ingested', () => {
    fc.assert(fc.property(recordArb, mappingArb, (record, mapping) => {
      const result = mapGenericRecord(record, mapping);
      if (result.actions.length === 0) {
        assert.equal(result.actors.length, 0);
        assert.ok(result.problems.some((problem) => problem.endsWith('not ingested')));
      } else {
        assert.equal(result.actions.length, 1);
        assert.equal(result.actors[0]?.id, result.actions[0]?.actorId);
        assert.ok(Number.isInteger(result.actions[0]?.time));
      }
    }), { numRuns: 3000 });
  });

  it('round-trips a valid record, whichever time notation it uses', () => {
    const full = parseColumnMapping('id=i,account=a,time=t,text=x,language=l,urls=u,hashtags=h,target_post=p,handle=n');
    fc.assert(fc.property(
      fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
      fc.date({ min: new Date('2006-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom('iso', 'space', 'seconds', 'ms', 'number'), fc.string({ minLength: 1 }),
      fc.array(fc.stringMatching(/^[a-z0-9_]{1,12}$/), { maxLength: 4 }),
      (id, account, date, notation, text, tags) => {
        const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const time = {
          iso: whole.toISOString(), space: whole.toISOString().replace('T', ' ').replace('.000Z', ''),
          seconds: String(whole.getTime() / 1000), ms: String(whole.getTime()), number: whole.getTime() / 1000,
        }[notation];
        const result = mapGenericRecord({ i: id, a: account, t: time, x: text, l: 'uk', u: '', h: tags.join('|'), p: '9', n: `@${account}` }, full, { platform: 'p' });
        assert.deepEqual(result.problems, []);
        assert.deepEqual(result.actions[0], {
          platform: 'p', id, actorId: account, kind: 'post', time: whole.getTime(), targetPost: '9', targetActor: null,
          text, language: 'uk', urls: [], hashtags: [...new Set(tags)], mentions: [], mediaHashes: [], clientApp: null,
        });
        assert.equal(result.actors[0]?.handle, account, 'a leading @ is not part of the handle');
      },
    ), { numRuns: 500 });
  });
});
