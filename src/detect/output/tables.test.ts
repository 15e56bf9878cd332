import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import type { ExportEdge } from './network.js';
import { accountsCsvChunks, csvField, edgesCsvChunks } from './tables.js';
import type { AccountRow } from './tables.js';

const joined = (chunks: Iterable<string>): string => [...chunks].join('');
const records = (csv: string): string[][] => parse(csv, { relax_column_count: false }) as string[][];
const badInput = (e: unknown): boolean => e instanceof LockstepError && e.code === 'detect/bad-input';

describe('csvField', () => {
  it('quotes exactly the fields that need it and doubles inner quotes', () => {
    assert.equal(csvField('1184032918'), '1184032918');
    assert.equal(csvField('香港 🇭🇰'), '香港 🇭🇰');
    assert.equal(csvField(''), '');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('line\nbreak'), '"line\nbreak"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(' padded'), '" padded"');
  });
});

describe('accountsCsvChunks', () => {
  it('writes the contract header, then one CRLF-terminated row per account', () => {
    const csv = joined(accountsCsvChunks([{ accountId: '1184032918', clusterId: 0, score: 0.92 }, { accountId: 'c3VwZXI=', clusterId: 3, score: 1e-7 }]));
    assert.equal(csv, 'account_id,cluster_id,score\r\n1184032918,0,0.92\r\nc3VwZXI=,3,1e-7\r\n');
  });

  it('writes only the header for no accounts', () => {
    assert.equal(joined(accountsCsvChunks([])), 'account_id,cluster_id,score\r\n');
  });

  it('appends extra columns in the order given, empty where a row has no value', () => {
    const rows: AccountRow[] = [
      { accountId: 'a', clusterId: 1, score: 0.5, extra: { screen_name: 'x, "the" y', followers: 12 } },
      { accountId: 'b', clusterId: 1, score: 0.25, extra: { followers: null } },
    ];
    const csv = joined(accountsCsvChunks(rows, { extraColumns: ['screen_name', 'followers'], lineEnd: '\n' }));
    assert.equal(csv, 'account_id,cluster_id,score,screen_name,followers\na,1,0.5,"x, ""the"" y",12\nb,1,0.25,,\n');
  });

  it('round-trips any account id through an RFC 4180 reader', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 20 }), (ids) => {
        const csv = joined(accountsCsvChunks(ids.map((accountId, i) => ({ accountId, clusterId: i, score: i / 3 }))));
        const parsed = records(csv);
        assert.deepEqual(parsed[0], ['account_id', 'cluster_id', 'score']);
        assert.deepEqual(parsed.slice(1).map((r) => r[0]), ids);
        assert.deepEqual(parsed.slice(1).map((r) => Number(r[2])), ids.map((_, i) => i / 3));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same text whatever the chunk size', () => {
    const rows = Array.from({ length: 500 }, (_, i): AccountRow => ({ accountId: `acct,${i}`, clusterId: i % 9, score: i / 500 }));
    const small = [...accountsCsvChunks(rows, { chunkChars: 1 })];
    assert.ok(small.length > 400);
    assert.equal(small.join(''), joined(accountsCsvChunks(rows, { chunkChars: 1 << 20 })));
  });

  it('refuses a non-integer cluster, a non-finite score and a repeated column', () => {
    assert.throws(() => joined(accountsCsvChunks([{ accountId: 'a', clusterId: 0.5, score: 1 }])), badInput);
    assert.throws(() => joined(accountsCsvChunks([{ accountId: 'a', clusterId: 0, score: NaN }])), badInput);
    assert.throws(() => joined(accountsCsvChunks([], { extraColumns: ['score'] })), badInput);
    assert.throws(() => joined(accountsCsvChunks([], { extraColumns: ['x', 'x'] })), badInput);
  });
});

describe('edgesCsvChunks', () => {
  const edges: ExportEdge[] = [
    { source: '1184032918', target: 'c3VwZXI=', weight: 3.25, perTrace: { co_repost: 3, co_link: 0.25 } },
    { source: 'a,b', target: 'say "x"', weight: 0.1, perTrace: { co_link: 0.1 } },
  ];

  it('writes source,target,weight then one w_<trace> column per trace, 0 where the edge is absent from a trace', () => {
    const csv = joined(edgesCsvChunks({ edges, traceNames: ['co_repost', 'co_link'] }));
    assert.equal(csv, 'source,target,weight,w_co_repost,w_co_link\r\n1184032918,c3VwZXI=,3.25,3,0.25\r\n"a,b","say ""x""",0.1,0,0.1\r\n');
    assert.deepEqual(records(csv)[2], ['a,b', 'say "x"', '0.1', '0', '0.1']);
  });

  it('writes only the fixed columns when there are no traces', () => {
    assert.equal(joined(edgesCsvChunks({ edges: [], traceNames: [] })), 'source,target,weight\r\n');
  });

  it('refuses a weight for an undeclared trace and a non-finite weight', () => {
    assert.throws(() => joined(edgesCsvChunks({ edges, traceNames: ['co_repost'] })), badInput);
    assert.throws(() => joined(edgesCsvChunks({ edges: [{ source: 'a', target: 'b', weight: Infinity, perTrace: {} }], traceNames: [] })), badInput);
  });
});
