/** A small hand-built case export (accounts, a page, a group, URLs, addresses, a text) for share and disclose tests. */
import type { CaseExport, ExportEntity } from '../case-export.js';
import { textFingerprint } from '../fingerprint.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2019, 7, 1);

export const SAMPLE_TEXT = '香港 暴徒 必须 受到 法律 制裁';

export function sampleEntities(): ExportEntity[] {
  const accounts = Array.from({ length: 6 }, (_, index): ExportEntity => ({
    kind: 'account', platform: 'twitter', id: `10000${index}`, handle: `patriot_hk${index}`, displayName: `Patriot ${index}`,
    createdAt: T0 - 700 * DAY + index * DAY, followers: index === 0 ? 12_000 : 10 * index,
  }));
  return [
    ...accounts,
    { kind: 'page', platform: 'facebook', id: 'page-77', handle: 'hk.truth.page', displayName: 'HK Truth', createdAt: null, followers: 9_000 },
    { kind: 'group', platform: 'facebook', id: 'group-9', handle: null, displayName: 'Love HK', createdAt: null, followers: null },
  ];
}

export function sampleCase(overrides: Partial<CaseExport> = {}): CaseExport {
  return {
    case: { id: 'case-1', title: 'Hong Kong protest smear network', clusterId: '3', createdAt: T0 + 20 * DAY, status: 'decided' },
    entities: sampleEntities(),
    decisions: [],
    attribution: null,
    urls: [{ value: 'https://news.example.cn/hk/riots', entities: 4 }],
    domains: [{ value: 'news.example.cn', entities: 5 }],
    texts: [{ value: textFingerprint(SAMPLE_TEXT), entities: 3, sample: SAMPLE_TEXT }],
    infrastructure: [
      { value: '198.51.100.0/24', networkKind: 'vpn', asn: 64500, country: 'NL', entities: 4 },
      { value: '203.0.113.7', networkKind: 'business', asn: 4134, country: 'CN', entities: 3 },
    ],
    traces: ['co-repost', 'co-hashtag'],
    signals: ['creation-burst'],
    firstSeen: T0,
    lastSeen: T0 + 15 * DAY,
    ...overrides,
  };
}
