/**
 * logins.csv for a synthetic archive: campaign accounts log in through a few VPN exits and,
 * now and then, from the operation's handful of fixed addresses in one country, mostly with the
 * farm's old browser build; ordinary accounts log in from home, from a mobile carrier's NAT and,
 * a fifth of them, through the same VPN providers (the protesters used VPNs too).
 */
import type { InfraWorld } from './infra-plan.js';
import { homeAddress } from './infra-plan.js';
import { chance, mix32, mulberry32, pick, randInt, type Rng } from './rng.js';

export const LOGIN_COLUMNS: readonly string[] = ['account_id', 'time', 'ip', 'user_agent', 'event'];

/** Logins fall between these times (the campaign's active summer). */
export const LOGIN_FROM = Date.UTC(2019, 5, 1);
export const LOGIN_TO = Date.UTC(2019, 7, 15);

export const ORGANIC_VPN_SHARE = 0.2;

const iso = (time: number): string => new Date(time).toISOString().replace('.000Z', 'Z');

/** One account's logins (rows), drawn from its own stream so accounts do not depend on each other. */
export function accountLogins(world: InfraWorld, seed: number, accountId: string, ordinal: number, campaign: boolean): string[][] {
  const rng: Rng = mulberry32(mix32(seed, 0x10a1, ordinal));
  const rows: string[][] = [];
  const time = (): string => iso(LOGIN_FROM + Math.floor(rng() * (LOGIN_TO - LOGIN_FROM)));
  if (campaign) {
    const count = randInt(rng, 6, 30);
    for (let i = 0; i < count; i++) {
      const address = chance(rng, 0.8) ? pick(rng, world.campaignExits) : pick(rng, world.fixedAddresses);
      const agent = chance(rng, 0.7) ? (world.campaignAgents[0] as string) : pick(rng, world.campaignAgents);
      rows.push([accountId, time(), address, agent, 'login']);
    }
    return rows;
  }
  const count = randInt(rng, 2, 12);
  const vpn = chance(rng, ORGANIC_VPN_SHARE) ? pick(rng, world.vpnExits) : null;
  const mobile = chance(rng, 0.5);
  const home = homeAddress(rng, world);
  const agents = [pick(rng, world.commonAgents), pick(rng, world.commonAgents)];
  for (let i = 0; i < count; i++) {
    const u = rng();
    const address = vpn !== null && u < 0.6 ? pick(rng, vpn) : mobile && u > 0.7 ? pick(rng, world.mobileAddresses) : home;
    rows.push([accountId, time(), address, pick(rng, agents), 'login']);
  }
  return rows;
}

/**
 * Lazily, every account's logins, given the archive's users and truth rows (same order: userid
 * first; a campaign id in the truth's second column marks a campaign account).
 */
export function* loginRows(world: InfraWorld, seed: number, users: Iterable<readonly string[]>, truth: Iterable<readonly string[]>): Generator<string[]> {
  const truthIterator = truth[Symbol.iterator]();
  let ordinal = 0;
  for (const user of users) {
    const truthRow = truthIterator.next();
    const campaign = truthRow.done !== true && (truthRow.value[1] ?? '') !== '';
    yield* accountLogins(world, seed, user[0] ?? '', ordinal++, campaign);
  }
}
