import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textFingerprint, uuidV5 } from './fingerprint.js';
import { caseToStix, TLP_MARKING_IDS, userAccountId } from './stix.js';
import type { StixObject } from './stix.js';
import { validateStixBundle } from './stix-validate.js';
import { caseToThreatExchange, threatExchangeCsv } from './threatexchange.js';
import { sampleCase } from './test-support/sample-case.js';

const ofType = (objects: readonly StixObject[], type: string): StixObject[] => objects.filter((object) => object.type === type);

describe('uuidV5 and fingerprints', () => {
  it('matches the RFC 4122 name-based UUID of a known name', () => {
    assert.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
  it('fingerprints texts after normalisation only', () => {
    assert.equal(textFingerprint(' a  b\n'), textFingerprint('a b'));
    assert.notEqual(textFingerprint('a b'), textFingerprint('A b'));
    assert.match(textFingerprint('x'), /^[0-9a-f]{64}$/);
  });
});

describe('caseToStix', () => {
  it('writes a bundle that validates against the STIX 2.1 schemas', () => {
    const bundle = caseToStix(sampleCase());
    const result = validateStixBundle(bundle);
    assert.deepEqual(result.problems, []);
    assert.equal(result.valid, true);
  });

  it('re-exports the same case to the same bundle, byte for byte', () => {
    assert.equal(JSON.stringify(caseToStix(sampleCase())), JSON.stringify(caseToStix(sampleCase())));
    assert.notEqual(caseToStix(sampleCase()).id, caseToStix(sampleCase({ urls: [] })).id);
  });

  it('holds the operation, accounts, indicators, infrastructure, DISARM techniques and the TLP marking', () => {
    const { objects } = caseToStix(sampleCase(), { tlp: 'green' });
    assert.equal(ofType(objects, 'intrusion-set').length, 1);
    assert.equal(ofType(objects, 'threat-actor').length, 0, 'no threat-actor without an analyst attribution');
    const accounts = ofType(objects, 'user-account');
    assert.equal(accounts.length, 8);
    assert.deepEqual(accounts.map((object) => object['account_type']).sort(), ['facebook-group', 'facebook-page', ...Array(6).fill('twitter')].sort());
    const patterns = ofType(objects, 'indicator').map((object) => String(object['pattern']));
    assert.ok(patterns.includes("[url:value = 'https://news.example.cn/hk/riots']"));
    assert.ok(patterns.includes("[domain-name:value = 'news.example.cn']"));
    assert.ok(patterns.includes("[ipv4-addr:value ISSUBSET '198.51.100.0/24']"));
    assert.ok(patterns.includes("[ipv4-addr:value = '203.0.113.7']"));
    assert.ok(patterns.some((pattern) => pattern.includes("artifact:hashes.'SHA-256'")));
    const infraTypes = ofType(objects, 'infrastructure').flatMap((object) => object['infrastructure_types'] as string[]);
    assert.ok(infraTypes.includes('anonymization') && infraTypes.includes('botnet') && infraTypes.includes('amplification'));
    const techniques = ofType(objects, 'attack-pattern').map((object) => (object['external_references'] as { external_id: string }[])[0]?.external_id);
    assert.deepEqual(techniques, ['T0049.002', 'T0049.003', 'T0149.006', 'T0149.007', 'T0150.008']);
    assert.ok(objects.some((object) => object.id === TLP_MARKING_IDS.green));
    for (const object of objects) if (object.type !== 'user-account' && object.type !== 'marking-definition' && object.type !== 'identity') assert.deepEqual(object['object_marking_refs'], [TLP_MARKING_IDS.green]);
  });

  it('names a threat actor only when an analyst recorded an attribution, with its confidence', () => {
    const { objects } = caseToStix(sampleCase({ attribution: { actor: 'State-backed operation', statement: 'Run from the PRC', confidence: 80, actorTypes: ['nation-state'] } }), { container: 'campaign' });
    assert.equal(ofType(objects, 'threat-actor').length, 1);
    assert.equal(ofType(objects, 'campaign').length, 1);
    const attributed = ofType(objects, 'relationship').find((object) => object['relationship_type'] === 'attributed-to');
    assert.equal(attributed?.['confidence'], 80);
    assert.equal(validateStixBundle({ type: 'bundle', id: caseToStix(sampleCase()).id, objects }).valid, true);
  });

  it('gives user-accounts the STIX deterministic id of their contributing properties', () => {
    const entity = sampleCase().entities[0]!;
    assert.equal(userAccountId(entity), userAccountId({ ...entity }));
    assert.notEqual(userAccountId(entity), userAccountId({ ...entity, handle: 'other' }));
  });
});

describe('validateStixBundle', () => {
  it('rejects a broken bundle and says where', () => {
    const bundle = caseToStix(sampleCase());
    const indicator = bundle.objects.find((object) => object.type === 'indicator')!;
    const broken = { ...bundle, objects: bundle.objects.map((object) => (object === indicator ? { ...object, pattern: undefined, valid_from: 'yesterday' } : object)) };
    const result = validateStixBundle(JSON.parse(JSON.stringify(broken)));
    assert.equal(result.valid, false);
    const index = bundle.objects.indexOf(indicator);
    assert.ok(result.problems.some((problem) => problem.path.startsWith(`/objects/${index}`)), JSON.stringify(result.problems));
  });
  it('rejects dangling references and time running backwards', () => {
    const bundle = caseToStix(sampleCase());
    const objects = bundle.objects.map((object) => (object.type === 'relationship' ? { ...object, target_ref: 'campaign--00000000-0000-4000-8000-000000000000' } : object));
    assert.ok(validateStixBundle({ ...bundle, objects }).problems.some((problem) => problem.message.includes('not in the bundle')));
    const early = bundle.objects.map((object) => (object.type === 'intrusion-set' ? { ...object, modified: '2000-01-01T00:00:00.000Z' } : object));
    assert.ok(validateStixBundle({ ...bundle, objects: early }).problems.some((problem) => problem.message.includes('modified')));
  });
});

describe('caseToThreatExchange', () => {
  it('writes one row per indicator with share level, status and DISARM tags', () => {
    const rows = caseToThreatExchange(sampleCase(), { tlp: 'red' });
    assert.deepEqual(rows.map((row) => row.type), ['URI', 'DOMAIN', 'IP_SUBNET', 'IP_ADDRESS', 'HASH_SHA256']);
    assert.ok(rows.every((row) => row.share_level === 'RED' && row.tags.includes('disarm:T0049.003')));
    assert.equal(rows.find((row) => row.type === 'IP_ADDRESS')?.status, 'MALICIOUS');
    const csv = threatExchangeCsv(rows).split('\n');
    assert.equal(csv[0], 'indicator,type,share_level,status,tags,description');
    assert.equal(csv.length, rows.length + 2);
  });
});
