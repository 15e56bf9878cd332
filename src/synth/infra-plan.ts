/**
 * The synthetic Internet behind a synthetic archive: VPN providers whose exits the campaign and
 * ordinary users share, a business network in one country holding the campaign's handful of fixed
 * addresses, home ISPs, a mobile carrier's NAT, and the IP-network table (ipinfo.csv) describing
 * them. All addresses are in ranges reserved for benchmarks and shared address space
 * (198.18.0.0/15, RFC 2544; 100.64.0.0/10, RFC 6598, here standing in for home ISPs and a mobile
 * carrier), so nothing here is anybody's real network.
 */
import { mix32, mulberry32, pick, randInt, shuffle, type Rng } from './rng.js';

export interface SynthNetwork { cidr: string; asn: number; org: string; country: string; kind: 'vpn' | 'business' | 'residential' | 'mobile' | 'hosting' }

export interface InfraWorld {
  networks: readonly SynthNetwork[];
  /** Exits of each VPN provider (everybody's). */
  vpnExits: readonly (readonly string[])[];
  /** The exits the operation uses (a few, across two providers). */
  campaignExits: readonly string[];
  /** The operation's fixed addresses, all in one country's business network. */
  fixedAddresses: readonly string[];
  /** Unused addresses next to the fixed ones (same /24): new machines of the same office. */
  fixedNeighbours: readonly string[];
  fixedCountry: string;
  /** Home ISPs: [first address as integer, size] per network, for drawing home addresses. */
  homeRanges: readonly { start: number; size: number; country: string }[];
  mobileAddresses: readonly string[];
  /** User agents: everyday ones, and the operation's (one old, rare build among them). */
  commonAgents: readonly string[];
  campaignAgents: readonly string[];
}

export const IPINFO_COLUMNS: readonly string[] = ['network', 'asn', 'org', 'country', 'kind'];

const ip = (value: number): string => `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
const base = (a: number, b: number, c: number): number => ((a * 256 + b) * 256 + c) * 256;

export const COMMON_AGENTS: readonly string[] = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 12_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 9; SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.101 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/76.0.3809.100 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:68.0) Gecko/20100101 Firefox/68.0',
  'Mozilla/5.0 (Linux; Android 8.0.0; ONEPLUS A5000) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.143 Mobile Safari/537.36',
  'Twitter for iPhone/7.56', 'Twitter for Android/8.6.0', 'TwitterAndroid/8.4.0-release (Huawei P20)',
];

/** Old builds a farm of machines installed once and never updated: rare among everybody else. */
const FARM_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/58.0.3029.110 Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/55.0.2883.87 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 5.1.1; vivo X7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.0.0 Mobile Safari/537.36',
];

const VPN_PROVIDERS = [
  { org: 'Synthetic VPN Alpha', country: 'NL' }, { org: 'Synthetic VPN Beta', country: 'SG' },
  { org: 'Synthetic VPN Gamma', country: 'US' }, { org: 'Synthetic VPN Delta', country: 'JP' },
];
const HOME_ISPS = [
  { org: 'Synthetic Broadband HK', country: 'HK', slash16s: 4 }, { org: 'Synthetic Fibre HK', country: 'HK', slash16s: 4 },
  { org: 'Synthetic Cable TW', country: 'TW', slash16s: 2 }, { org: 'Synthetic DSL US', country: 'US', slash16s: 1 },
  { org: 'Synthetic Home GB', country: 'GB', slash16s: 1 }, { org: 'Synthetic Residential CN', country: 'CN', slash16s: 1 },
];

/**
 * Plans the networks for a seed: the same seed gives the same Internet. Different seeds move the
 * operation's exits and fixed addresses and change how many there are.
 */
export function planInfra(seed: number): InfraWorld {
  const rng: Rng = mulberry32(mix32(seed, 0x1a7f));
  const networks: SynthNetwork[] = [];
  const vpnExits: string[][] = VPN_PROVIDERS.map((provider, i) => {
    networks.push({ cidr: `198.18.${i}.0/24`, asn: 65001 + i, org: provider.org, country: provider.country, kind: 'vpn' });
    return Array.from({ length: 40 }, (_, host) => ip(base(198, 18, i) + 1 + host));
  });
  networks.push({ cidr: '198.18.8.0/22', asn: 65009, org: 'Synthetic Cloud Hosting', country: 'US', kind: 'hosting' });
  networks.push({ cidr: '198.18.16.0/20', asn: 65010, org: 'Synthetic Telecom Business CN', country: 'CN', kind: 'business' });
  const office = base(198, 18, 16 + randInt(rng, 0, 15));
  const hosts = shuffle(rng, Array.from({ length: 250 }, (_, i) => i + 2));
  const fixedCount = randInt(rng, 3, 7);
  const fixedAddresses = hosts.slice(0, fixedCount).map((host) => ip(office + host));
  const fixedNeighbours = hosts.slice(fixedCount, fixedCount + 20).map((host) => ip(office + host));
  const providers = shuffle(rng, [0, 1, 2, 3]).slice(0, 2);
  const campaignExits = providers.flatMap((provider) => shuffle(rng, [...(vpnExits[provider] ?? [])]).slice(0, randInt(rng, 3, 5)));
  // Home ISPs in 100.64.0.0/11 (wide, as real pools are: few accounts share a /24 by chance).
  const homeRanges: { start: number; size: number; country: string }[] = [];
  let second = 64;
  HOME_ISPS.forEach((isp, i) => {
    const blocks = isp.slash16s;
    networks.push({ cidr: `100.${second}.0.0/${16 - Math.log2(blocks)}`, asn: 65020 + i, org: isp.org, country: isp.country, kind: 'residential' });
    homeRanges.push({ start: base(100, second, 0) + 1, size: blocks * 65_536 - 2, country: isp.country });
    second += blocks;
  });
  networks.push({ cidr: '100.127.0.0/16', asn: 65040, org: 'Synthetic Mobile HK', country: 'HK', kind: 'mobile' });
  const mobileAddresses = Array.from({ length: 300 }, (_, i) => ip(base(100, 127, Math.floor(i / 250)) + 1 + (i % 250)));
  const farm = pick(rng, FARM_AGENTS);
  return {
    networks, vpnExits, campaignExits, fixedAddresses, fixedNeighbours, fixedCountry: 'CN', homeRanges, mobileAddresses,
    commonAgents: COMMON_AGENTS, campaignAgents: [farm, pick(rng, COMMON_AGENTS.slice(0, 3))],
  };
}

/** ipinfo.csv rows. */
export function ipinfoRows(world: InfraWorld): string[][] {
  return world.networks.map((network) => [network.cidr, `AS${network.asn}`, network.org, network.country, network.kind]);
}

/** A home address in one of the ISPs (weighted by size). */
export function homeAddress(rng: Rng, world: InfraWorld, country?: string): string {
  const ranges = country === undefined ? world.homeRanges : world.homeRanges.filter((range) => range.country === country);
  const total = ranges.reduce((sum, range) => sum + range.size, 0);
  let at = Math.floor(rng() * total);
  for (const range of ranges) {
    if (at < range.size) return ip(range.start + at);
    at -= range.size;
  }
  return ip((ranges[0]?.start ?? 0));
}
