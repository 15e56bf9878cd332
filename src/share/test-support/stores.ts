/** In-memory stores with a workspace for share and disclose tests. */
import type { CaseRecord, Entity } from '../../cases/index.js';
import type { ItemBatch } from '../../ingest/port.js';
import { bareAction, bareActor } from '../../model/index.js';
import type { Action, ActionKind, Actor, ActorKind } from '../../model/index.js';
import { DuckDbStore } from '../../store/index.js';
import { openDuckDbWorkspace } from '../../store/duckdb/workspace-store.js';
import type { SqlWorkspaceStore } from '../../store/duckdb/workspace-sql.js';

export interface TestStore { store: DuckDbStore; workspace: SqlWorkspaceStore; close(): Promise<void> }

export async function openTestStore(batch: Partial<ItemBatch>, path = ':memory:'): Promise<TestStore> {
  const store = await DuckDbStore.open(path);
  const ingest = await store.beginIngest('test', 'test');
  await store.appendBatch(ingest, { actors: [], actions: [], infra: [], networks: [], ...batch });
  const workspace = await openDuckDbWorkspace(store.connection);
  return { store, workspace, close: async () => { await store.close(); } };
}

export function actor(platform: string, id: string, fields: Partial<Actor> & { kind?: ActorKind } = {}): Actor {
  return { ...bareActor(platform, id, fields.kind ?? 'account'), ...fields };
}

let counter = 0;
export function action(platform: string, actorId: string, kind: ActionKind, time: number, fields: Partial<Action> = {}): Action {
  counter += 1;
  return { ...bareAction(platform, `${platform}-${actorId}-${counter}`, actorId, kind, time), ...fields };
}

export async function openCase(workspace: SqlWorkspaceStore, id: string, clusterId: string, entities: Entity[], createdAt = Date.UTC(2019, 7, 19)): Promise<CaseRecord> {
  const record: CaseRecord = { id, clusterId, title: `Case ${id}`, status: 'open', assignee: null, createdAt, updatedAt: createdAt };
  await workspace.insertCase(record, entities);
  return record;
}
