/**
 * When accounts act: ordinary users follow a diurnal rhythm in their own time zone; each campaign
 * has its own tempo (an office schedule in UTC+8, round-the-clock shifts, or evenings).
 */
import { DAY_MS, HOUR_MS } from './format.js';
import { AliasTable, type Rng } from './rng.js';

/** Relative activity of ordinary users by local hour (quiet at 3am, peak in the evening). */
const DIURNAL = [2, 1.2, 0.7, 0.4, 0.4, 0.6, 1.2, 2.5, 3.5, 4, 4, 4.2, 4.5, 4.2, 4, 4, 4.2, 4.5, 5, 5.5, 6, 6, 5, 3.5];
const diurnal = new AliasTable(DIURNAL);

/** The period of a world: [start, end) in ms, `days` long. */
export interface Period {
  start: number;
  end: number;
  days: number;
}

/** A campaign's working pattern. */
export type TempoKind = 'office' | 'shifts' | 'evening';
export const TEMPO_KINDS: readonly TempoKind[] = ['office', 'shifts', 'evening'];

export interface Tempo {
  kind: TempoKind;
  /** Hours east of UTC where the operators work. */
  utcOffset: number;
}

/**
 * A time on the UTC day starting at `dayStart`, drawn from an ordinary user's rhythm in `utcOffset`.
 * The result stays within that UTC day.
 */
export function diurnalTime(rng: Rng, dayStart: number, utcOffset: number): number {
  const localHour = diurnal.sample(rng);
  const utcHour = (((localHour - utcOffset) % 24) + 24) % 24;
  return dayStart + utcHour * HOUR_MS + Math.floor(rng() * HOUR_MS);
}

/** How busy a campaign is on a local weekday (0 = Sunday): offices rest at weekends. */
export function tempoDayWeight(tempo: Tempo, localWeekday: number): number {
  if (tempo.kind !== 'office') return 1;
  if (localWeekday === 0) return 0.1;
  if (localWeekday === 6) return 0.35;
  return 1.35;
}

/** The local weekday (0 = Sunday) of the UTC day starting at `dayStart`, at midday local time. */
export function localWeekday(dayStart: number, utcOffset: number): number {
  return new Date(dayStart + 12 * HOUR_MS - utcOffset * HOUR_MS).getUTCDay();
}

/** A time within the working hours of a tempo, on the UTC day starting at `dayStart`. */
export function tempoTime(rng: Rng, tempo: Tempo, dayStart: number): number {
  let localHours: number;
  switch (tempo.kind) {
    case 'office': {
      // 9:00-12:00 and 13:30-18:00, with the lunch break empty.
      const u = rng() * 7.5;
      localHours = u < 3 ? 9 + u : 13.5 + (u - 3);
      break;
    }
    case 'evening':
      localHours = 18 + rng() * 6;
      break;
    case 'shifts':
      localHours = rng() * 24;
      break;
  }
  const utc = (((localHours - tempo.utcOffset) % 24) + 24) % 24;
  return dayStart + Math.floor(utc * HOUR_MS);
}

/** Start of the UTC day containing `ms`. */
export function dayStartOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
