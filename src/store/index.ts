export { DuckDbStore } from './duckdb/duckdb-store.js';
export type { StoreStats } from './duckdb/stats.js';
