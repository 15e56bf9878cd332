/**
 * SQL helpers for the CSV fast path. URL and hashtag normalisation is not re-implemented here:
 * it calls the JS functions registered by js-functions.ts, skipping the many empty lists.
 */
const LIST_ITEM_RE = `'([^']*)'|"([^"]*)"|([^,\\[\\]'"\\s][^,\\]]*)`;
const EMPTY_LIST = `s IS NULL OR s = '' OR s = '[]'`;

export const SQL_MACROS: readonly string[] = [
  // parseListField, for lists kept as they are (mentions)
  `CREATE OR REPLACE TEMP MACRO ls_list(s) AS
     CASE WHEN ${EMPTY_LIST} THEN []::VARCHAR[]
     ELSE list_filter(list_transform(regexp_extract_all(s, $$${LIST_ITEM_RE}$$), x -> trim(x, $$ '"${'\t\n\r'}$$)), x -> x <> '') END`,
  `CREATE OR REPLACE TEMP MACRO ls_split(joined) AS CASE WHEN joined = '' THEN []::VARCHAR[] ELSE string_split(joined, chr(31)) END`,
  `CREATE OR REPLACE TEMP MACRO ls_norm_urls(s) AS CASE WHEN ${EMPTY_LIST} THEN []::VARCHAR[] ELSE ls_split(ls_js_urls(s)) END`,
  `CREATE OR REPLACE TEMP MACRO ls_norm_tags(s) AS CASE WHEN ${EMPTY_LIST} THEN []::VARCHAR[] ELSE ls_split(ls_js_tags(s)) END`,
];
