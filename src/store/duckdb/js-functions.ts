/**
 * JS functions registered in DuckDB, so the CSV fast path normalises URLs and hashtags with the
 * very functions the JSON readers use (one definition of an object's key, exact NFKC). Results
 * cross as one string joined by U+001F (normalisation strips control characters, so no item
 * contains it); SQL splits it back.
 */
import { DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { normalizeAll, normalizeHashtag, normalizeUrl, parseListField } from '../../model/index.js';

function listNormalizer(name: string, normalize: (item: string) => string | null): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name,
    returnType: VARCHAR,
    parameterTypes: [VARCHAR],
    mainFunction: (_info, input, output) => {
      const values = input.getColumnVector(0);
      for (let row = 0; row < input.rowCount; row++) {
        const raw = values.getItem(row);
        output.setItem(row, typeof raw === 'string' ? normalizeAll(parseListField(raw), normalize).join('\u001f') : '');
      }
      output.flush();
    },
  });
}

export function registerJsFunctions(connection: DuckDBConnection): void {
  connection.registerScalarFunction(listNormalizer('ls_js_urls', normalizeUrl));
  connection.registerScalarFunction(listNormalizer('ls_js_tags', normalizeHashtag));
}
