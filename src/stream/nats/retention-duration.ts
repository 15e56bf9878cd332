/**
 * `--retention`'s durations, apart from the NATS code (events-retention.ts) so that the CLI's
 * command definitions, loaded by every `lockstep help`, load no NATS client (main.test.ts).
 */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `45m`, `24h`, `7d` (a bare number: seconds) in ms; null when it is not a positive duration. */
export function parseRetention(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (match === null) return null;
  const ms = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1_000);
  return ms >= 1_000 ? Math.round(ms) : null;
}
