import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { importBundle } from './import-bundle.js';
import type { MatchReport } from './import-bundle.js';
import { loadCaseExport } from './load-case.js';
import { bundleTerms, patternTerms } from './partner-bundle.js';
import { caseToStix } from './stix.js';
import type { StixBundle } from './stix.js';
import { validateStixBundle } from './stix-validate.js';
import { action, actor, openCase, openTestStore } from './test-support/stores.js';
import type { TestStore } from './test-support/stores.js';

const T0 = Date.UTC(2019, 7, 10);
const MIN = 60_000;
const RIOTS = 'https://news.example.cn/hk/riots';
const TEXT = '香港 暴徒 必须 受到 法律 制裁';
const login = (actorId: string, ip: string, platform = 'twitter') => ({ platform, actorId, time: T0, ip, userAgent: null, event: 'login' as const });

describe('patternTerms', () => {
  it('reads the comparisons platforms share and lists the rest', () => {
    assert.deepEqual(patternTerms("[url:value = 'HTTPS://A.example/x?utm_source=t'] OR [domain-name:value = 'www.B.example']").terms,
      [{ kind: 'url', value: 'https://a.example/x' }, { kind: 'domain', value: 'b.example' }]);
    assert.deepEqual(patternTerms("[ipv4-addr:value ISSUBSET '198.51.100.0/24']").terms, [{ kind: 'cidr', value: '198.51.100.0/24' }]);
    assert.deepEqual(patternTerms("[user-account:account_login = 'it\\'s_me']").terms, [{ kind: 'handle', value: "it's_me" }]);
    const unknown = patternTerms("[file:name = 'evil.exe']");
    assert.deepEqual(unknown.terms, []);
    assert.match(unknown.problems[0] ?? '', /file:name is not matched/);
    assert.match(patternTerms('nonsense').problems[0] ?? '', /no comparison/);
  });
  it('refuses what is not a bundle, saying where', () => {
    assert.throws(() => bundleTerms({ type: 'report' }, 'x.json'), /x\.json: not a STIX 2\.1 bundle/);
    const empty = bundleTerms({ type: 'bundle', id: 'bundle--1', objects: [{ type: 'indicator', id: 'indicator--1', pattern: 'rule x {}', pattern_type: 'yara' }] });
    assert.equal(empty.terms.length, 0);
    assert.equal(empty.notUnderstood.length, 1);
  });
});

describe('export, then import into a partner store (round trip)', () => {
  let local: TestStore;
  let partner: TestStore;
  let bundle: StixBundle;
  let report: MatchReport;

  before(async () => {
    const members = ['t1', 't2', 't3', 't4', 't5'];
    local = await openTestStore({
      actors: [...members.map((id, index) => actor('twitter', id, { handle: `smear_${index + 1}`, createdAt: Date.UTC(2017, 7, 20 + index) })), actor('twitter', 'o1', { handle: 'reader' })],
      actions: [
        ...['t1', 't2', 't3', 't4'].map((id, index) => action('twitter', id, 'post', T0 + index * MIN, { urls: [RIOTS], text: `read this ${index}` })),
        ...['t1', 't2', 't3'].map((id, index) => action('twitter', id, 'post', T0 + 10 * MIN + index * MIN, { text: TEXT })),
        action('twitter', 'o1', 'post', T0, { urls: ['https://elsewhere.example/a'], text: 'hello' }),
      ],
      infra: [...['t1', 't2', 't3', 't4'].map((id, index) => login(id, `198.51.100.${10 + index}`)), ...['t2', 't3', 't4'].map((id) => login(id, '203.0.113.7'))],
      networks: [{ cidr: '198.51.100.0/24', asn: 64500, org: 'Example VPN', country: 'NL', kind: 'vpn' }],
    });
    await openCase(local.workspace, 'case-7', '3', members.map((id, index) => ({ kind: 'account', id, handle: `smear_${index + 1}` })));
    const exported = await loadCaseExport(local.store.connection, local.workspace, 'case-7');
    bundle = caseToStix(exported, { producer: 'Platform A', tlp: 'amber' });

    partner = await openTestStore({
      actors: [
        actor('facebook', 'P1', { kind: 'page', handle: 'hk.truth' }), actor('facebook', 'P2', { kind: 'page', handle: 'hk.news' }),
        actor('facebook', 'G1', { kind: 'group', handle: null }), actor('facebook', 'f1', { handle: 'Smear_1' }),
        actor('facebook', 'f2'), actor('facebook', 'f3'), actor('facebook', 'f9', { handle: 'innocent' }),
      ],
      actions: [
        action('facebook', 'P1', 'post', T0, { urls: [RIOTS] }), action('facebook', 'P1', 'post', T0 + MIN, { urls: [RIOTS] }),
        action('facebook', 'P2', 'post', T0, { urls: ['https://news.example.cn/other'] }),
        action('facebook', 'G1', 'post', T0, { text: `  ${TEXT.replaceAll(' ', '   ')} ` }),
        action('facebook', 'f9', 'post', T0, { urls: ['https://elsewhere.example/a'], text: 'hello' }),
      ],
      infra: [login('f2', '198.51.100.200', 'facebook'), login('f3', '203.0.113.7', 'facebook'), login('f9', '192.0.2.1', 'facebook')],
    });
    report = await importBundle(partner.store.connection, partner.workspace, JSON.parse(JSON.stringify(bundle)), { actor: 'analyst', now: () => T0, newId: (() => { let n = 0; return () => `id-${++n}`; })() });
  });
  after(async () => { await local.close(); await partner.close(); });

  it('exports a valid bundle with the case indicators', () => {
    assert.deepEqual(validateStixBundle(bundle).problems, []);
    const patterns = bundle.objects.filter((object) => object.type === 'indicator').map((object) => String(object['pattern']));
    assert.ok(patterns.includes(`[url:value = '${RIOTS}']`), patterns.join('\n'));
    assert.ok(patterns.includes("[ipv4-addr:value ISSUBSET '198.51.100.0/24']"), 'VPN exits are shared as their network');
    assert.ok(patterns.includes("[ipv4-addr:value = '203.0.113.7']"), 'fixed addresses one by one');
    assert.equal(patterns.filter((pattern) => pattern.includes('artifact')).length, 1, 'only the text several accounts posted');
  });

  it('brings back the matching pages, groups and accounts, each with its reasons', () => {
    const byId = new Map(report.matched.map((entity) => [entity.id, entity]));
    assert.deepEqual([...byId.keys()].sort(), ['G1', 'P1', 'P2', 'f1', 'f2', 'f3']);
    assert.equal(byId.get('P1')?.kind, 'page');
    assert.equal(byId.get('G1')?.kind, 'group');
    assert.deepEqual(byId.get('P1')?.reasons.map((reason) => reason.kind).sort(), ['domain', 'url']);
    assert.match(byId.get('P1')?.reasons.find((reason) => reason.kind === 'url')?.how ?? '', /shared the URL .* in 2 posts/);
    assert.deepEqual(byId.get('G1')?.reasons.map((reason) => reason.kind), ['text']);
    assert.deepEqual(byId.get('f1')?.reasons.map((reason) => reason.kind), ['handle']);
    assert.match(byId.get('f1')?.reasons[0]?.how ?? '', /partner's platform twitter, here facebook/);
    assert.deepEqual(byId.get('f2')?.reasons.map((reason) => reason.kind), ['cidr']);
    assert.deepEqual(byId.get('f3')?.reasons.map((reason) => reason.kind), ['ip']);
    assert.equal(byId.has('f9'), false, 'an unrelated account is not matched');
    for (const entity of report.matched) assert.ok(entity.strength > 0 && entity.strength <= 1);
    assert.ok((byId.get('P1')?.strength ?? 0) > (byId.get('P2')?.strength ?? 1), 'a URL and its domain beat the domain alone');
  });

  it('opens a case on the matches, with a note of the reasons and an audit entry', async () => {
    assert.equal(report.caseId, 'id-1');
    const record = await partner.workspace.getCase('id-1');
    assert.equal(record?.status, 'open');
    assert.equal(record?.clusterId, `import:${bundle.id}`);
    const entities = await partner.workspace.caseEntities('id-1');
    assert.deepEqual(entities.map((entity) => entity.id), report.matched.map((entity) => entity.id));
    const notes = await partner.workspace.notes('id-1');
    assert.match(notes[0]?.text ?? '', /Platform A/);
    assert.match(notes[0]?.text ?? '', /page facebook:P1.*\n.*shared the URL/);
    const audit = await partner.workspace.audit({ caseId: 'id-1', limit: 10, offset: 0 });
    assert.equal(audit.items[0]?.action, 'case.open');
  });

  it('opens nothing when nothing matches', async () => {
    const empty = await openTestStore({ actors: [actor('facebook', 'x')] });
    try {
      const nothing = await importBundle(empty.store.connection, empty.workspace, bundle);
      assert.equal(nothing.caseId, null);
      assert.deepEqual(nothing.matched, []);
      assert.equal((await empty.workspace.listCases({})).length, 0);
    } finally {
      await empty.close();
    }
  });
});
