import { DuckDBInstance } from '@duckdb/node-api';
import { workspaceStoreContract } from '../../cases/test-support/workspace-contract.js';
import { openDuckDbWorkspace } from './workspace-store.js';

workspaceStoreContract('DuckDB (embedded)', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return openDuckDbWorkspace(connection, async () => { connection.closeSync(); instance.closeSync(); });
});
