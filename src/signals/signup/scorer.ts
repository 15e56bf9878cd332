/**
 * Sign-up scoring: allow, challenge or block a new registration, with a score in [0, 1] and the
 * reasons. Features, each a weight combined by noisy-OR (score = 1 - Π(1 - w)):
 * - infrastructure of confirmed or detected clusters: the exact IP (a fixed address weighs far
 *   more than a VPN exit), its network, its ASN, a user agent typical of the network;
 * - velocity in sliding windows: sign-ups per IP and per /24 (not for VPN/proxy/hosting exits,
 *   which many strangers share; a higher bar on mobile carrier NAT) and per specific handle template;
 * - similarity to the network: a handle template its accounts share, a mass-registration handle
 *   shape, an email domain most of whose recent sign-ups were blocked.
 * A VPN alone never blocks (the protesters used VPNs too): a block needs the score and evidence of
 * at least two kinds besides anonymising exits (infrastructure, client, handle, email), so neither
 * a shared VPN exit nor a common handle shape can block on its own.
 */
import { isAnonymisingKind } from '../ip-table.js';
import type { IpLookup, NetworkInfo } from '../ip-table.js';
import { groupingTemplate, handlePattern, isSpecificTemplate } from '../handle-pattern.js';
import type { HandlePattern } from '../handle-pattern.js';
import { formatIpv4, formatSlash24, parseIpv4 } from '../ipv4.js';
import type { HandleShape } from './handle-shape.js';
import type { KnownAddress, KnownInfra } from './known-infra.js';
import { velocityCounter } from './velocity.js';
import type { VelocityCounter, VelocitySnapshot } from './velocity.js';

export interface SignupInput {
  account_id: string;
  /** Epoch milliseconds. */
  time: number;
  /** IPv4 dotted quad (validated by the caller). */
  ip: string;
  user_agent: string;
  handle: string;
  email_domain: string;
}

export type SignupDecision = 'allow' | 'challenge' | 'block';

export interface SignupScore {
  account_id: string;
  decision: SignupDecision;
  score: number;
  reasons: string[];
}

export const SCORER_DEFAULTS = {
  blockAt: 0.7,
  challengeAt: 0.35,
  /** Kinds of evidence (infrastructure, client, handle, email) beyond anonymising exits a block needs. */
  blockNeedsKinds: 2,
  windowMs: 3_600_000,
  ipBurst: 3,
  mobileIpBurst: 20,
  /** Sign-ups from one /24 (not an anonymising exit or mobile NAT) in the window. */
  networkBurst: 10,
  templateBurst: 5,
  /** Sign-ups of one specific template through one exit or address in the window. */
  exitTemplateBurst: 3,
  /** An email domain counts once this many of its sign-ups were blocked ... */
  domainBlocked: 5,
  /** ... making up at least this share of its sign-ups. */
  domainShare: 0.6,
  /**
   * Email domains whose counts are kept. Past this, the counts of domains none of whose sign-ups
   * was blocked are dropped, oldest first (they give no evidence; should one of them later see
   * blocks, its share is then judged on the sign-ups since), down to three quarters of it; if
   * that is not enough, the oldest domains go too.
   */
  maxDomains: 50_000,
  /** Big free-mail providers are everybody's: a wave using them says nothing about the next user. */
  commonMailDomains: new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'icloud.com', 'me.com',
    'aol.com', 'protonmail.com', 'proton.me', 'gmx.com', 'gmx.de', 'mail.ru', 'yandex.ru', 'qq.com', '163.com', '126.com', 'yeah.net', 'sina.com', 'foxmail.com', 'naver.com']) as ReadonlySet<string>,
  weights: {
    fixedIp: 0.7, fixedIpFew: 0.45, vpnExit: 0.15, network: 0.4, asn: 0.15, userAgent: 0.3,
    template: 0.45, templateBurst: 0.5, exitTemplateBurst: 0.5, handleShape: 0.1, emailDomain: 0.5, ipBurst: 0.45, networkBurst: 0.3,
  },
};
export type ScorerOptions = typeof SCORER_DEFAULTS;

/** Everything a scorer must keep across restarts. */
export interface ScorerState {
  version: 1;
  known: KnownInfra;
  velocity: { ip: VelocitySnapshot | null; network: VelocitySnapshot | null; template: VelocitySnapshot | null; exitTemplate?: VelocitySnapshot | null | undefined };
  domains: Record<string, [blocked: number, total: number]>;
  /** Latest sign-up time seen (the clock of the velocity windows). */
  lastTime: number;
}

/** The state as a writer takes it: the velocity counts and the email-domain counts in parts. */
export interface ScorerStateParts {
  head: Omit<ScorerState, 'velocity' | 'domains'>;
  /** `[domain, [blocked, total]]` entries, `keysPerPart` at a time, taken as the writer pulls them. */
  domains: Generator<[string, [number, number]][], void, void>;
  velocity: Record<'ip' | 'network' | 'template' | 'exitTemplate', { windowMs: number; parts: Generator<{ keys: string[]; buckets: number[] }, void, void> }>;
}

/** A decision without the account id. */
export interface SignupVerdict {
  decision: SignupDecision;
  score: number;
  reasons: string[];
}

/** A registration already read and checked (batch scoring reads it straight from the file's bytes). */
export interface ParsedSignup {
  /** Epoch milliseconds. */
  time: number;
  /** The IPv4 address as an unsigned 32-bit integer (its text is formatted from it for reasons). */
  ip: number;
  /** The user agent, or null when mayBeKnownAgent said its length matches none. */
  userAgent: string | null;
  handle: string;
  /** The handle's shape (see handle-shape.ts). */
  shape: HandleShape;
  /** The email domain, lower-cased. */
  emailDomain: string;
}

export interface SignupScorer {
  score(input: SignupInput): SignupScore;
  /** As `score`, for a registration already read: the same decision, score and reasons. */
  scoreParsed(row: ParsedSignup): SignupVerdict;
  /** False when no known user agent has this length (the agent need not be read as text). */
  mayBeKnownAgent(length: number): boolean;
  /** A snapshot to persist (velocity keys outside the window are dropped). */
  state(): ScorerState;
  /** The same, with the velocity counts taken part by part as the writer pulls them (see VelocityCounter.snapshotParts). */
  stateParts(keysPerPart: number): ScorerStateParts;
  /** Bumped by every scored sign-up: the write-behind saver watches it. */
  readonly revision: number;
  readonly known: KnownInfra;
}

/** Evidence kinds, as bits: a block needs two kinds besides anonymising exits. */
const KIND = { anonymising: 1, infrastructure: 2, client: 4, handle: 8, email: 16 } as const;
type FeatureKind = (typeof KIND)[keyof typeof KIND];
const bitCount = (bits: number): number => { let n = 0; for (let b = bits; b > 0; b >>= 1) n += b & 1; return n; };

const where = (info: NetworkInfo | null): string => (info === null ? 'not in the IP table' : `${info.country ?? '??'}, ${info.asn === null ? '' : `AS${info.asn} `}${info.org ?? info.cidr}, ${info.kind}`);

/**
 * A scorer over what is known and the IP table, restoring counters from `state` if given.
 * @example
 * const scorer = createSignupScorer(known, buildIpTable(networks));
 * scorer.score({ account_id: 'n1', time: Date.now(), ip: '198.51.100.7', user_agent: 'UA', handle: 'Ruth48213902', email_domain: 'example.com' })
 */
export function createSignupScorer(known: KnownInfra, lookup: IpLookup, state?: ScorerState | null, options: Partial<ScorerOptions> = {}): SignupScorer {
  const settings = { ...SCORER_DEFAULTS, ...options, weights: { ...SCORER_DEFAULTS.weights, ...options.weights } };
  const w = settings.weights;
  const perIp: VelocityCounter = velocityCounter(settings.windowMs, state?.velocity.ip ?? undefined);
  const perNetwork: VelocityCounter = velocityCounter(settings.windowMs, state?.velocity.network ?? undefined);
  const perTemplate: VelocityCounter = velocityCounter(settings.windowMs, state?.velocity.template ?? undefined);
  const perExitTemplate: VelocityCounter = velocityCounter(settings.windowMs, state?.velocity.exitTemplate ?? undefined);
  const domains = new Map<string, [number, number]>(Object.entries(state?.domains ?? {}).map(([domain, counts]) => [domain, [counts[0], counts[1]]]));
  // Keyed by the address as an integer: no hashing of each request's fresh text.
  // `| 0` makes the key a small integer, which a Map hashes fastest.
  const ips = new Map(Object.entries(known.ips).map(([ip, entry]) => [parseIpv4(ip) | 0, entry]));
  const ipReasons = new Map<number, string>();
  const networks = new Map(Object.entries(known.networks));
  const asns = new Map(Object.entries(known.asns));
  const userAgents = new Map(Object.entries(known.userAgents));
  const agentLengths = new Set([...userAgents.keys()].map((agent) => agent.length));
  const templates = new Map(Object.entries(known.templates));
  let lastTime = state?.lastTime ?? 0;
  let revision = 0;
  const minutes = settings.windowMs / 60_000;

  /** The reason a known address gives, built once per address. */
  function ipReason(ip: number, text: string, entry: KnownAddress, info: NetworkInfo | null): string {
    let reason = ipReasons.get(ip);
    if (reason === undefined) {
      reason = entry.anonymising
        ? `IP ${text} is an exit (${where(info)}) that ${entry.accounts} network accounts used; shared by many, not evidence alone`
        : `IP ${text} is a fixed address ${entry.accounts} network accounts logged in from (${where(info)}; ${entry.clusters.join(', ')})`;
      ipReasons.set(ip, reason);
    }
    return reason;
  }

  // The sign-up being scored (score is not re-entrant): no closure allocated per call.
  let reasons: string[] = [];
  let keep = 1;
  let kinds = 0;
  const add = (weight: number, reason: string, kind: FeatureKind): void => {
    keep *= 1 - weight;
    kinds |= kind;
    reasons.push(reason);
  };

  /** Keeps the domain counts within `maxDomains` (see SCORER_DEFAULTS). */
  function pruneDomains(): void {
    const keep = Math.floor(settings.maxDomains * 0.75);
    for (const [domain, counts] of domains) {
      if (domains.size <= keep) return;
      if (counts[0] === 0) domains.delete(domain);
    }
    for (const domain of domains.keys()) {
      if (domains.size <= keep) return;
      domains.delete(domain);
    }
  }

  /** The domain counts in parts of `size` entries (a part's copy is taken when it is pulled). */
  function* domainParts(size: number): Generator<[string, [number, number]][], void, void> {
    let part: [string, [number, number]][] = [];
    for (const [domain, counts] of domains) {
      part.push([domain, [counts[0], counts[1]]]);
      if (part.length >= size) {
        yield part;
        part = [];
      }
    }
    if (part.length > 0) yield part;
  }

  /**
   * Scores one registration already read: the address as an integer (`ipText` its text, or null to
   * format it when a reason names it), the user agent (null when it cannot be a known one), the
   * handle and its shape, the email domain lower-cased. Sets `reasons` and returns the score.
   */
  function decide(time: number, ip: number, ipText: string | null, userAgent: string | null, handle: string, shape: HandlePattern, template: string, specific: boolean, domain: string): SignupVerdict {
    revision += 1;
    if (time > lastTime) lastTime = time;
    reasons = [];
    keep = 1;
    kinds = 0;
    const info = lookup.lookup(ip);
    const anonymising = info !== null && isAnonymisingKind(info.kind);
    const knownIp = ips.get(ip | 0);
    if (knownIp !== undefined) {
      const reason = ipReason(ip, ipText ?? formatIpv4(ip), knownIp, info);
      if (knownIp.anonymising) add(w.vpnExit, reason, KIND.anonymising);
      else add(knownIp.accounts >= 3 ? w.fixedIp : w.fixedIpFew, reason, KIND.infrastructure);
    } else if (info !== null && !anonymising) {
      const network = networks.get(info.cidr);
      if (network !== undefined) add(w.network, `network ${info.cidr} (${where(info)}) is one ${network.accounts} network accounts logged in from`, KIND.infrastructure);
      else if (info.asn !== null) {
        const asn = asns.get(String(info.asn));
        if (asn !== undefined && !asn.anonymising) add(w.asn, `AS${info.asn} (${asn.org ?? 'unknown org'}) carried logins of ${asn.accounts} network accounts`, KIND.infrastructure);
      }
    }
    // Hashing a long user agent costs; most cannot match on length alone.
    const ua = userAgent !== null && agentLengths.has(userAgent.length) ? userAgents.get(userAgent) : undefined;
    if (ua !== undefined) add(w.userAgent, `user agent "${(userAgent as string).slice(0, 60)}" is ${ua.lift}x more common among the network's logins (${ua.accounts} accounts)`, KIND.client);

    if (!anonymising) {
      const ipCount = perIp.hit(ip | 0, time);
      const bar = info?.kind === 'mobile' ? settings.mobileIpBurst : settings.ipBurst;
      if (ipCount >= bar) add(w.ipBurst, `${Math.round(ipCount)} sign-ups from IP ${ipText ?? formatIpv4(ip)} in the last ${minutes} min`, KIND.infrastructure);
      if (info !== null && info.kind !== 'mobile') {
        // Per /24, not per table network: a whole ISP's block registers many people an hour.
        const block = (ip - (ip % 256)) | 0;
        const netCount = perNetwork.hit(block, time);
        if (netCount >= settings.networkBurst) add(w.networkBurst, `${Math.round(netCount)} sign-ups from ${formatSlash24(ip)} in the last ${minutes} min`, KIND.infrastructure);
      }
    }
    if (specific) {
      const members = templates.get(template);
      if (members !== undefined) add(w.template, `handle "${handle}" follows template ${template}, shared by ${members} network accounts`, KIND.handle);
      const count = perTemplate.hit(template, time);
      if (count >= settings.templateBurst) add(w.templateBurst, `${Math.round(count)} sign-ups with handle template ${template} in the last ${minutes} min`, KIND.handle);
      // Many strangers share an exit, but not a narrow handle template through it within the hour
      // (other addresses have their own burst feature above).
      const viaExit = anonymising ? perExitTemplate.hitPair(template, ip | 0, time) : 0;
      if (viaExit >= settings.exitTemplateBurst) add(w.exitTemplateBurst, `${Math.round(viaExit)} sign-ups with handle template ${template} through ${ipText ?? formatIpv4(ip)} in the last ${minutes} min`, KIND.infrastructure);
    }
    if (shape !== null) add(w.handleShape, `handle "${handle}" has a mass-registration shape (${shape})`, KIND.handle);
    let domainCounts = domains.get(domain);
    if (domainCounts === undefined) {
      if (domains.size >= settings.maxDomains) pruneDomains();
      domains.set(domain, (domainCounts = [0, 0]));
    }
    if (domainCounts[0] >= settings.domainBlocked && domainCounts[0] / domainCounts[1] >= settings.domainShare && !settings.commonMailDomains.has(domain)) {
      add(w.emailDomain, `email domain ${domain}: ${domainCounts[0]} of its ${domainCounts[1]} recent sign-ups were blocked`, KIND.email);
    }
    const value = Math.round((1 - keep) * 1000) / 1000;
    const decision: SignupDecision = value >= settings.blockAt && bitCount(kinds & ~KIND.anonymising) >= settings.blockNeedsKinds ? 'block'
      : value >= settings.challengeAt ? 'challenge' : 'allow';
    if (decision !== 'block' && value >= settings.blockAt) reasons.push('not blocked: the evidence is mostly anonymising infrastructure');
    domainCounts[1] += 1;
    if (decision === 'block') domainCounts[0] += 1;
    return { decision, score: value, reasons };
  }

  function score(input: SignupInput): SignupScore {
    const shape = handlePattern(input.handle);
    const template = groupingTemplate(input.handle, shape);
    const verdict = decide(input.time, parseIpv4(input.ip), input.ip, input.user_agent, input.handle, shape, template, isSpecificTemplate(template), input.email_domain.toLowerCase());
    return { account_id: input.account_id, decision: verdict.decision, score: verdict.score, reasons: verdict.reasons };
  }

  return {
    score,
    scoreParsed: (row) => decide(row.time, row.ip, null, row.userAgent, row.handle, row.shape.pattern, row.shape.template, row.shape.specific, row.emailDomain),
    mayBeKnownAgent: (length) => agentLengths.has(length),
    get revision() { return revision; },
    known,
    state: () => ({
      version: 1,
      known,
      velocity: { ip: perIp.snapshot(lastTime), network: perNetwork.snapshot(lastTime), template: perTemplate.snapshot(lastTime), exitTemplate: perExitTemplate.snapshot(lastTime) },
      domains: Object.fromEntries(domains),
      lastTime,
    }),
    stateParts(keysPerPart) {
      const now = lastTime;
      const counter = (velocity: VelocityCounter): { windowMs: number; parts: Generator<{ keys: string[]; buckets: number[] }, void, void> } =>
        ({ windowMs: velocity.windowMs, parts: velocity.snapshotParts(now, keysPerPart) });
      return {
        head: { version: 1, known, lastTime: now },
        domains: domainParts(keysPerPart),
        velocity: { ip: counter(perIp), network: counter(perNetwork), template: counter(perTemplate), exitTemplate: counter(perExitTemplate) },
      };
    },
  };
}
