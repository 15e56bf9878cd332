/**
 * new_signups.csv and truth_signups.csv: a week of registrations after the archive. The network
 * registers a wave of fake accounts in bursts, through the same infrastructure it logs in from
 * (its VPN exits, its fixed addresses and new machines beside them), with template handles and
 * its farm's browser; ordinary people register all week, a fifth of them through the same VPN
 * providers, some with handles that look like templates (Twitter's suggested `Name12345678`).
 */
import type { InfraWorld } from './infra-plan.js';
import { homeAddress } from './infra-plan.js';
import { chance, mix32, mulberry32, pick, randInt, shuffle, uniform, type Rng } from './rng.js';
import { campaignHandle, organicHandle, randomAlnum } from './text.js';

export const SIGNUP_COLUMNS: readonly string[] = ['account_id', 'time', 'ip', 'user_agent', 'handle', 'email_domain'];
export const TRUTH_SIGNUP_COLUMNS: readonly string[] = ['account_id', 'label', 'vpn'];

export const SIGNUPS_FROM = Date.UTC(2019, 7, 20);
const WEEK_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;

const COMMON_DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'qq.com', '163.com', 'netvigator.com'];
const PINYIN = ['zhang', 'wang', 'li', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'lin', 'he', 'gao', 'luo'];
const NAMES = ['Ruth', 'Mary', 'Lily', 'Anna', 'Grace', 'Helen', 'Linda', 'Susan', 'Kevin', 'David', 'Jason', 'Eric', 'Tony', 'Peter', 'Alice', 'Emma'];

export interface SignupTables {
  signups: string[][];
  truth: string[][];
  summary: { fake: number; organic: number; organicVpn: number; bursts: number; templates: string[] };
}

type HandleMaker = (rng: Rng) => string;
const WAVE_HANDLES: Record<string, HandleMaker> = {
  'name+8 digits': (rng) => campaignHandle(rng, 'name-digits'),
  'random 15': (rng) => campaignHandle(rng, 'random-15'),
  'pinyin+6 digits': (rng) => `${pick(rng, PINYIN)}${pick(rng, PINYIN)}${String(randInt(rng, 100_000, 999_999))}`,
  'name_pinyin+5 digits': (rng) => `${pick(rng, NAMES)}_${pick(rng, PINYIN)}${String(randInt(rng, 10_000, 99_999))}`,
};

function organicSignupHandle(rng: Rng): string {
  const u = rng();
  if (u < 0.03) return `${pick(rng, NAMES)}${String(randInt(rng, 10_000_000, 99_999_999))}`; // a platform-suggested handle
  if (u < 0.07) return `${pick(rng, NAMES).toLowerCase()}${randInt(rng, 1960, 2005)}`;
  if (u < 0.08) return randomAlnum(rng, randInt(rng, 8, 15));
  return organicHandle(rng);
}


/**
 * The week's registrations, in time order, and their truth. Sizes follow `scale` (1: about 1,500
 * fake and 6,000 organic sign-ups).
 */
export function signupTables(world: InfraWorld, seed: number, scale: number): SignupTables {
  const rng: Rng = mulberry32(mix32(seed, 0x5196));
  const vpnExits = new Set(world.vpnExits.flat());
  const fakeCount = Math.max(100, Math.round(1500 * scale));
  const organicCount = Math.max(200, Math.round(6000 * scale));
  const templateNames = shuffle(rng, Object.keys(WAVE_HANDLES)).slice(0, randInt(rng, 2, 3));
  const throwaway = Array.from({ length: 3 }, () => `${pick(rng, PINYIN)}${randomAlnum(rng, 3).toLowerCase()}-mail.example`);
  const bursts = Array.from({ length: randInt(rng, 5, 9) }, () => {
    const length = uniform(rng, 1, 4) * HOUR_MS;
    return { start: SIGNUPS_FROM + rng() * (WEEK_MS - length), length };
  });
  const rows: { time: number; row: string[]; label: 'fake' | 'organic'; vpn: boolean }[] = [];
  for (let i = 0; i < fakeCount; i++) {
    const burst = pick(rng, bursts);
    const u = rng();
    const address = u < 0.6 ? pick(rng, world.campaignExits) : u < 0.85 ? pick(rng, world.fixedAddresses) : pick(rng, world.fixedNeighbours);
    const v = rng();
    const agent = v < 0.6 ? (world.campaignAgents[0] as string) : v < 0.85 ? pick(rng, world.campaignAgents) : pick(rng, world.commonAgents);
    const handle = (WAVE_HANDLES[pick(rng, templateNames)] as HandleMaker)(rng);
    const domain = chance(rng, 0.5) ? pick(rng, throwaway) : pick(rng, COMMON_DOMAINS);
    const time = Math.floor(burst.start + rng() * burst.length);
    rows.push({ time, row: [String(time), address, agent, handle, domain], label: 'fake', vpn: vpnExits.has(address) });
  }
  let organicVpn = 0;
  for (let i = 0; i < organicCount; i++) {
    const u = rng();
    const vpn = u < 0.2;
    if (vpn) organicVpn += 1;
    const address = vpn ? pick(rng, pick(rng, world.vpnExits)) : u < 0.45 ? pick(rng, world.mobileAddresses) : homeAddress(rng, world);
    const domain = chance(rng, 0.003) ? pick(rng, throwaway) : pick(rng, COMMON_DOMAINS);
    const time = SIGNUPS_FROM + Math.floor(rng() * WEEK_MS);
    rows.push({ time, row: [String(time), address, pick(rng, world.commonAgents), organicSignupHandle(rng), domain], label: 'organic', vpn });
  }
  rows.sort((x, y) => x.time - y.time);
  const ids = shuffle(rng, Array.from({ length: rows.length }, (_, i) => i));
  const signups: string[][] = [];
  const truth: string[][] = [];
  rows.forEach((entry, i) => {
    const id = `${seed}-${String(100_000 + (ids[i] as number))}`;
    signups.push([id, new Date(entry.time).toISOString(), ...entry.row.slice(1)]);
    truth.push([id, entry.label, entry.vpn ? '1' : '0']);
  });
  return { signups, truth, summary: { fake: fakeCount, organic: organicCount, organicVpn, bursts: bursts.length, templates: templateNames } };
}
