/** SQL expressions used by more than one query. */

/** The host of a normalised URL without `www.` (URLs are already lower-cased at ingest). */
export function sqlUrlDomain(url: string): string {
  return `regexp_replace(regexp_extract(${url}, '^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]*@)?([^/:?]+)', 1), '^www\\.', '')`;
}
