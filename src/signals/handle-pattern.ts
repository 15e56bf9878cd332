/**
 * Handle shapes: the template a handle follows (character classes and digit-run lengths), the
 * patterns of mass-registered accounts (a name plus a long digit run, a high-entropy string), and
 * whether a template is specific enough to tie accounts together. Used by account signals and by
 * sign-up scoring, so both read handles the same way.
 */

/** Handles longer than this are not templated (hashed archive ids, URLs). */
const MAX_HANDLE = 30;

/**
 * The shape of a handle: an upper-case-led letter run is `Aa`, a lower-case run `a`, an upper-case
 * run `A`, digits `#n` (n = run length), other characters kept as they are.
 * @example handleTemplate('Ruth48213902') // 'Aa#8'
 * @example handleTemplate('zhang_wei12') // 'a_a#2'
 */
export function handleTemplate(handle: string): string {
  if (handle.length > MAX_HANDLE) return '~long';
  let out = '';
  let i = 0;
  while (i < handle.length) {
    const code = handle.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      let j = i;
      while (j < handle.length && handle.charCodeAt(j) >= 48 && handle.charCodeAt(j) <= 57) j++;
      out += `#${j - i}`;
      i = j;
    } else if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      const upperFirst = code <= 90;
      let j = i + 1;
      let allUpper = upperFirst;
      while (j < handle.length) {
        const c = handle.charCodeAt(j);
        if (c >= 97 && c <= 122) { allUpper = false; j++; } else if (c >= 65 && c <= 90) {
          if (!allUpper) break; // camelCase: a new word starts
          j++;
        } else break;
      }
      out += allUpper && j - i > 1 ? 'A' : upperFirst ? 'Aa' : 'a';
      i = j;
    } else {
      out += handle[i];
      i++;
    }
  }
  return out;
}

/** Length of the longest run of digits. */
export function longestDigitRun(handle: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < handle.length; i++) {
    const code = handle.charCodeAt(i);
    run = code >= 48 && code <= 57 ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** Shannon entropy (bits per character) of the handle's characters. */
export function characterEntropy(handle: string): number {
  if (handle.length === 0) return 0;
  // ASCII in a reused table (the sign-up path calls this per registration); the rest in a map.
  ASCII_COUNTS.fill(0);
  let other: Map<string, number> | null = null;
  for (let i = 0; i < handle.length; i++) {
    const code = handle.charCodeAt(i);
    if (code < 128) ASCII_COUNTS[code] = (ASCII_COUNTS[code] as number) + 1;
    else (other ??= new Map()).set(handle[i] as string, ((other.get(handle[i] as string) ?? 0) + 1));
  }
  let bits = 0;
  const add = (count: number): void => { const p = count / handle.length; bits -= p * Math.log2(p); };
  for (let code = 0; code < 128; code++) if ((ASCII_COUNTS[code] as number) > 0) add(ASCII_COUNTS[code] as number);
  if (other !== null) for (const count of other.values()) add(count);
  return bits;
}
const ASCII_COUNTS = new Int32Array(128);

/** Letter-case and class switches per character: random strings switch often, names rarely. */
function switchRate(handle: string): number {
  let switches = 0;
  let last = -1;
  for (let i = 0; i < handle.length; i++) {
    const code = handle.charCodeAt(i);
    const kind = code >= 48 && code <= 57 ? 0 : code >= 65 && code <= 90 ? 1 : code >= 97 && code <= 122 ? 2 : 3;
    if (last >= 0 && kind !== last) switches++;
    last = kind;
  }
  return handle.length > 1 ? switches / (handle.length - 1) : 0;
}

export type HandlePattern = 'name-digits' | 'high-entropy' | null;

/**
 * The mass-registration pattern a handle follows, if any: letters then a run of 6+ digits
 * (Twitter's suggested `Name12345678` handles, the shape of most of the 2019 network), or a
 * random-looking string (10+ characters, high entropy, frequent class switches).
 */
export function handlePattern(handle: string): HandlePattern {
  if (handle.length > MAX_HANDLE || handle.length === 0) return null;
  if (/^[A-Za-z_]{2,}\d{6,}$/.test(handle)) return 'name-digits';
  if (handle.length >= 10 && /^[A-Za-z0-9]+$/.test(handle) && characterEntropy(handle) >= 3.2 && switchRate(handle) >= 0.35) return 'high-entropy';
  return null;
}

/**
 * True for a template narrow enough that many accounts sharing it is a signal: it holds a digit
 * run of 4+ (`Aa#8`, `a#2a#4`) or mixes 5+ class segments. Everyday shapes (`a`, `Aa_a`, `a#2`)
 * are shared by millions and are not.
 */
export function isSpecificTemplate(template: string): boolean {
  if (template.charCodeAt(0) === 126) return template.startsWith('~random'); // '~long' is not
  // One pass, no allocation (this runs per sign-up): segments are Aa, A, a or #n.
  let segments = 0;
  for (let i = 0; i < template.length; i++) {
    const code = template.charCodeAt(i);
    if (code === 35) { // '#': a digit run; its length follows
      segments++;
      let length = 0;
      while (i + 1 < template.length && template.charCodeAt(i + 1) >= 48 && template.charCodeAt(i + 1) <= 57) length = length * 10 + (template.charCodeAt(++i) - 48);
      if (length >= 4) return true;
    } else if (code === 65) { // 'A', maybe 'Aa'
      segments++;
      if (template.charCodeAt(i + 1) === 97) i++;
    } else if (code === 97) {
      segments++;
    }
  }
  return segments >= 5;
}

/**
 * The key accounts are grouped by: the template, except that random-looking handles (whose
 * templates all differ) group by length as `~randomN`.
 * @example groupingTemplate('xK9fQ2mLp0aZr7T') // '~random15'
 */
export function groupingTemplate(handle: string, pattern: HandlePattern = handlePattern(handle)): string {
  return pattern === 'high-entropy' ? `~random${handle.length}` : handleTemplate(handle);
}

/** Archive-hashed ids (base64 digests) stand where a handle was withheld: not handles. */
const HASHED_HANDLE = /^[A-Za-z0-9+/]{40,}={0,2}$/;

/** True when `handle` is an archive's hashed id standing where the handle was withheld. */
export function isHashedHandle(handle: string): boolean {
  return HASHED_HANDLE.test(handle);
}

/**
 * The grouping template of a visible handle when it is specific enough to be a signal
 * (isSpecificTemplate); null for a missing, hashed or everyday handle.
 * @example specificHandleTemplate('hk_news_2019_0412') // 'a_a_#4_#4'
 */
export function specificHandleTemplate(handle: string | null | undefined): string | null {
  if (handle === null || handle === undefined || handle === '' || isHashedHandle(handle)) return null;
  const template = groupingTemplate(handle);
  return isSpecificTemplate(template) ? template : null;
}
