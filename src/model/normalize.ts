/**
 * Normalisation of the objects accounts share, so that the same object gets the same key.
 * The DuckDB fast path calls these same functions (store/duckdb/js-functions.ts), so an object
 * has one key whichever format it came in. Plain regexes rather than the WHATWG URL class, which
 * re-encodes and adds slashes: a key must stay recognisably the URL the account shared.
 */

/** C0 controls and DEL: never part of a real URL or tag (and U+001F is our list separator). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const EDGE_SPACE = /^[ \t\n\r]+|[ \t\n\r]+$/g;
const SCHEME_AND_HOST = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/]*)([\s\S]*)$/;
const TRACKING_PARAM = /^(utm_.*|fbclid|gclid)$/;

/**
 * A URL as a co-link key: host and scheme lower-cased, http taken as https, fragment and tracking parameters
 * (`utm_*`, `fbclid`, `gclid`) dropped, path and other parameters kept. Empty input is no URL
 * (null): tools that key on "" link thousands of unrelated accounts.
 * @example normalizeUrl('HTTPS://News.Example.COM/a/B?utm_source=x&id=3#top') // 'https://news.example.com/a/B?id=3'
 */
export function normalizeUrl(raw: string): string | null {
  let url = raw.replace(CONTROL, '').replace(EDGE_SPACE, '');
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash);
  const question = url.indexOf('?');
  const base = question >= 0 ? url.slice(0, question) : url;
  const query = question >= 0 ? url.slice(question + 1) : '';
  const match = SCHEME_AND_HOST.exec(base);
  const scheme = match?.[1] ?? '';
  const host = match?.[2] ?? '';
  const path = match?.[3] ?? '';
  const kept = query.split('&').filter((param) => param !== '' && !TRACKING_PARAM.test((param.split('=')[0] ?? '').toLowerCase()));
  // http and https serve the same article: one key for both.
  const normal = (scheme.toLowerCase() === 'http://' ? 'https://' : scheme.toLowerCase()) + host.toLowerCase() + path + (kept.length > 0 ? `?${kept.join('&')}` : '');
  return normal === '' ? null : normal;
}

/**
 * A hashtag as a key: NFKC (so full-width ＃ＨＫ and #HK meet), case-folded, without the leading #.
 * @example normalizeHashtag('＃ＨｏｎｇＫｏｎｇ') // 'hongkong'
 */
export function normalizeHashtag(raw: string): string | null {
  const tag = raw.replace(CONTROL, '').normalize('NFKC').replace(/^[\s#]+|\s+$/gu, '').toLowerCase();
  return tag === '' ? null : tag;
}

/** Text for comparison: NFKC, runs of white space folded to one space, trimmed. Case is kept. */
export function normalizeText(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

const LIST_ITEM = /'([^']*)'|"([^"]*)"|([^,[\]'"\s][^,\]]*)/g;

/**
 * The items of a list field as the Information Operations archive writes them:
 * `[a, b]`, `['a', 'b']`, `["a, b", 'c']`, `[]` or empty. Items are trimmed; empty ones dropped.
 */
export function parseListField(raw: string | null | undefined): string[] {
  if (raw === null || raw === undefined || raw === '') return [];
  const items: string[] = [];
  for (const match of raw.matchAll(LIST_ITEM)) {
    const item = (match[1] ?? match[2] ?? match[3] ?? '').replace(EDGE_SPACE, '');
    if (item !== '') items.push(item);
  }
  return items;
}

/** Normalises every item, drops those that normalise to nothing, keeps first occurrences in order. */
export function normalizeAll(raw: readonly string[], normalize: (item: string) => string | null): string[] {
  const seen = new Set<string>();
  for (const item of raw) {
    const normal = normalize(item);
    if (normal !== null) seen.add(normal);
  }
  return [...seen];
}
