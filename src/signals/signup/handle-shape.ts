/**
 * A handle's shape read straight from ASCII bytes, for batch scoring: the grouping template, the
 * mass-registration pattern and whether the template is specific, exactly as handle-pattern.ts
 * computes them from text (property test), but with the template interned: a handle's template is
 * encoded as a number while its bytes are walked, and each distinct (template, pattern) gets one
 * shared entry, so a million sign-ups build no template strings and the velocity and template
 * lookups see the same string object (its hash already computed) every time.
 */
import { characterEntropy, handleTemplate, isSpecificTemplate } from '../handle-pattern.js';
import type { HandlePattern } from '../handle-pattern.js';

/** What scoring needs of a handle's shape (one shared object per distinct shape). */
export interface HandleShape {
  /** The grouping template (groupingTemplate). */
  readonly template: string;
  readonly pattern: HandlePattern;
  /** isSpecificTemplate(template). */
  readonly specific: boolean;
}

/** Handles longer than this are not templated (as in handle-pattern.ts). */
const MAX_HANDLE = 30;
/** Tokens that fit exactly in a double's 53 bits at 8 bits each (longer templates are keyed by text). */
const MAX_CODED_TOKENS = 6;

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isUpper = (code: number): boolean => code >= 65 && code <= 90;
const isLower = (code: number): boolean => code >= 97 && code <= 122;

export interface HandleShapes {
  /**
   * The shape of the ASCII handle in `bytes[start, end)` (non-empty); `text` is the same handle as
   * a string (read only for a random-looking handle's entropy and for templates of 7+ tokens).
   */
  read(bytes: Uint8Array, start: number, end: number, text: string): HandleShape;
  /** Distinct shapes held. */
  readonly size: number;
}

/**
 * An interning reader of handle shapes.
 * @example const shapes = handleShapes(); shapes.read(Buffer.from('Ruth48213902'), 0, 12, 'Ruth48213902').template // 'Aa#8'
 */
export function handleShapes(): HandleShapes {
  const coded = new Map<number, HandleShape>();
  const byText = new Map<string, HandleShape>();
  const random = new Map<number, HandleShape>();
  const long = Object.freeze({ template: '~long', pattern: null, specific: isSpecificTemplate('~long') });
  let size = 1;

  const entry = (template: string, pattern: HandlePattern): HandleShape => {
    size += 1;
    return Object.freeze({ template, pattern, specific: isSpecificTemplate(template) });
  };

  /** The template's tokens from the bytes as a number: Aa 1, A 2, a 3, #n 3+n, other character 34+code; -1 past 6 tokens. */
  const code = (bytes: Uint8Array, start: number, end: number): number => {
    let key = 0;
    let tokens = 0;
    let i = start;
    while (i < end) {
      const c = bytes[i] as number;
      let token: number;
      if (isDigit(c)) {
        let j = i + 1;
        while (j < end && isDigit(bytes[j] as number)) j++;
        token = 3 + (j - i);
        i = j;
      } else if (isUpper(c) || isLower(c)) {
        const upperFirst = c <= 90;
        let j = i + 1;
        let allUpper = upperFirst;
        while (j < end) {
          const d = bytes[j] as number;
          if (isLower(d)) { allUpper = false; j++; } else if (isUpper(d)) {
            if (!allUpper) break;
            j++;
          } else break;
        }
        token = allUpper && j - i > 1 ? 2 : upperFirst ? 1 : 3;
        i = j;
      } else {
        token = 34 + c;
        i++;
      }
      if (++tokens > MAX_CODED_TOKENS) return -1;
      key = key * 256 + token;
    }
    return key;
  };

  return {
    get size() { return size; },
    read(bytes, start, end, text) {
      const length = end - start;
      if (length > MAX_HANDLE) return long;
      // handlePattern: letters or '_' (2+) then 6+ digits to the end is 'name-digits'; else a
      // random-looking string (10+ letters and digits, high entropy, frequent class switches).
      let lead = 0;
      while (lead < length && (isUpper(bytes[start + lead] as number) || isLower(bytes[start + lead] as number) || bytes[start + lead] === 95)) lead++;
      let digits = lead;
      while (digits < length && isDigit(bytes[start + digits] as number)) digits++;
      let pattern: HandlePattern = null;
      if (lead >= 2 && digits === length && length - lead >= 6) pattern = 'name-digits';
      else if (length >= 10) {
        let switches = 0;
        let last = -1;
        let alphanumeric = true;
        for (let i = start; i < end; i++) {
          const c = bytes[i] as number;
          const kind = isDigit(c) ? 0 : isUpper(c) ? 1 : isLower(c) ? 2 : 3;
          if (kind === 3) { alphanumeric = false; break; }
          if (last >= 0 && kind !== last) switches++;
          last = kind;
        }
        // The switch rate first: it is known already, and the entropy is the dearer test.
        if (alphanumeric && switches / (length - 1) >= 0.35 && characterEntropy(text) >= 3.2) pattern = 'high-entropy';
      }
      if (pattern === 'high-entropy') {
        let shape = random.get(length);
        if (shape === undefined) random.set(length, (shape = entry(`~random${length}`, pattern)));
        return shape;
      }
      const key = code(bytes, start, end);
      if (key < 0) {
        const template = handleTemplate(text);
        const textKey = pattern === null ? template : `${template}\u0000`;
        let shape = byText.get(textKey);
        if (shape === undefined) byText.set(textKey, (shape = entry(template, pattern)));
        return shape;
      }
      const patternKey = key * 2 + (pattern === null ? 0 : 1);
      let shape = coded.get(patternKey);
      if (shape === undefined) coded.set(patternKey, (shape = entry(handleTemplate(text), pattern)));
      return shape;
    },
  };
}
