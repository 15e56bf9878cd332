/** Actors from rows of the Information Operations users format (the real China file, synthetic baselines). */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Actor } from '../../model/index.js';
import { generateSynthetic, mulberry32 } from '../../synth/index.js';
import { pick, randInt } from '../../synth/rng.js';
import { organicHandle, randomAlnum } from '../../synth/text.js';

export const CHINA_USERS = new URL('../../../../shared/data/twitter-io/china_082019_1_users_csv_hashed.csv', import.meta.url);

const num = (text: string | undefined): number | null => (text === undefined || text === '' || Number.isNaN(Number(text)) ? null : Number(text));
const text = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

/** One users row (userid, user_display_name, user_screen_name, location, description, url, followers, following, created, language). */
export function actorFromUserRow(row: readonly string[]): Actor {
  const created = row[8] === undefined || row[8] === '' ? null : Date.parse(`${row[8].slice(0, 10)}T00:00:00Z`);
  return {
    platform: 'twitter', id: row[0] ?? '', kind: 'account', handle: text(row[2]), displayName: text(row[1]), createdAt: Number.isNaN(created) ? null : created,
    followers: num(row[6]), following: num(row[7]), language: text(row[9]), location: text(row[3]), description: text(row[4]),
  };
}

export function readChinaUsers(): Actor[] {
  const rows = parse(readFileSync(CHINA_USERS), { bom: true }) as string[][];
  return rows.slice(1).map(actorFromUserRow);
}

/**
 * The organic (non-campaign) accounts of a synthetic world: a plausible platform baseline for
 * Hong Kong-facing Twitter in 2019. The archive hashes handles under 5,000 followers, so those get
 * an everyday handle here: mostly word and name shapes, 5% platform-suggested `Name12345678`,
 * 5% name plus a year, 3% random strings (an assumption, stated, not a measurement).
 */
export function syntheticOrganicUsers(seed: number, scale: number): Actor[] {
  const tables = generateSynthetic({ seed, scale });
  const truth = [...tables.truth];
  const rng = mulberry32(seed ^ 0x5eed);
  const names = ['Ruth', 'Mary', 'Kevin', 'David', 'Jason', 'Alice', 'Emma', 'Tony'];
  const handle = (): string => {
    const u = rng();
    if (u < 0.05) return `${pick(rng, names)}${String(randInt(rng, 10_000_000, 99_999_999))}`;
    if (u < 0.1) return `${pick(rng, names).toLowerCase()}${randInt(rng, 1960, 2005)}`;
    if (u < 0.13) return randomAlnum(rng, randInt(rng, 10, 15));
    return organicHandle(rng);
  };
  return [...tables.users].map(actorFromUserRow).filter((_, i) => (truth[i]?.[1] ?? '') === '')
    .map((actor) => (actor.handle !== null && actor.handle === actor.id ? { ...actor, handle: handle(), displayName: null } : actor));
}
