/**
 * Seeded randomness shared by every module that needs reproducible draws (clustering, synthetic
 * data, benchmarks): nothing reads Math.random, so a seed gives the same result everywhere.
 */

/** A uniform source in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger): a tiny, fast 32-bit generator, good enough for shuffles,
 * tie-breaking and simulation, identical across platforms for the same seed.
 * @example const rng = mulberry32(42); rng(); // 0.6011037519201636
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
