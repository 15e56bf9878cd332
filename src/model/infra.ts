/** A sign-up or login seen from an address: the raw material of infrastructure attribution. */
export type InfraEvent = 'signup' | 'login';
export const INFRA_EVENTS: readonly InfraEvent[] = ['signup', 'login'];

export interface InfraObservation {
  platform: string;
  actorId: string;
  time: number;
  ip: string;
  userAgent: string | null;
  event: InfraEvent;
}

export type NetworkKind = 'residential' | 'mobile' | 'hosting' | 'vpn' | 'proxy' | 'tor' | 'business' | 'education' | 'unknown';
export const NETWORK_KINDS: readonly NetworkKind[] = ['residential', 'mobile', 'hosting', 'vpn', 'proxy', 'tor', 'business', 'education', 'unknown'];

/** One row of the IP-network table: which network a CIDR belongs to and what kind of exit it is. */
export interface IpNetwork {
  cidr: string;
  asn: number | null;
  org: string | null;
  country: string | null;
  kind: NetworkKind;
}
