/** Opening the store file and its workspace (cases, decisions, audit) for one command, closed after. */
import type { WorkspaceStore } from '../cases/port.js';
import { DuckDbStore } from '../store/index.js';
import { openDuckDbWorkspace } from '../store/duckdb/workspace-store.js';

export async function withCaseStore<T>(path: string, work: (store: DuckDbStore, workspace: WorkspaceStore) => Promise<T>): Promise<T> {
  const store = await DuckDbStore.open(path);
  try {
    return await work(store, await openDuckDbWorkspace(store.connection));
  } finally {
    await store.close();
  }
}
