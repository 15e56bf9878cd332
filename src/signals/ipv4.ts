/** IPv4 addresses as unsigned 32-bit integers: parsing without allocation, /24 keys, formatting. */

/**
 * The address as an unsigned 32-bit integer, or -1 when the text is not a dotted-quad IPv4
 * address (IPv6 included). Hand-rolled: on the sign-up path a regex and split cost more than the
 * rest of the scoring.
 * @example parseIpv4('203.0.113.7') // 3405803783
 */
export function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero ("01") is ambiguous (octal in some parsers)
      part = part * 10 + (code - 48);
      digits += 1;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** True for text that looks like an IPv6 address (has a colon): callers reject it by name. */
export function looksLikeIpv6(text: string): boolean {
  return text.includes(':');
}

/** Dotted-quad text of a 32-bit address. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The /24 an address belongs to, as the integer of its first address. */
export function slash24(value: number): number {
  return value - (value % 256);
}

/** `a.b.c.0/24` text of an address's /24. */
export function formatSlash24(value: number): string {
  return `${formatIpv4(slash24(value))}/24`;
}

/** Parses `a.b.c.d/n`; null when not an IPv4 CIDR. The start is masked to the prefix. */
export function parseCidr4(text: string): { start: number; end: number; prefix: number } | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const base = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (base < 0 || !/^\d{1,2}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const start = base - (base % size);
  return { start, end: start + size - 1, prefix };
}
