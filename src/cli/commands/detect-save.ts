/** `lockstep detect --db`: the run is kept in the store, where `lockstep serve` shows it. */
import { DuckDbStore } from '../../store/index.js';
import { saveDetectionOutputs } from '../../store/duckdb/detections.js';
import type { CliIo } from '../io.js';

/** Saves what detect wrote to `outDir` into the store at `dbPath` as a new detection run. */
export async function saveDetectionRun(dbPath: string, outDir: string, quiet: boolean, io: CliIo): Promise<number> {
  const store = await DuckDbStore.open(dbPath);
  try {
    const { runId, clusters } = await saveDetectionOutputs(store.connection, outDir);
    if (!quiet) io.err(`detection run ${runId} (${clusters} clusters) saved in ${dbPath}; open the workspace with: lockstep serve --db ${dbPath}`);
    return runId;
  } finally {
    await store.close();
  }
}
