/** Where `lockstep stream` sends alerts besides stdout: a webhook, and cases in the workspace store. */
import { CaseService } from '../../cases/index.js';
import type { Entity, User } from '../../cases/index.js';
import type { WorkspaceStore } from '../../cases/index.js';
import type { EmittedAlert } from '../../stream/runner.js';
import { DuckDbStore } from '../../store/index.js';
import { openDuckDbWorkspace } from '../../store/duckdb/workspace-store.js';

/** POSTs each alert as JSON; a failure is retried twice, then reported (the stream goes on). */
export function webhookSink(url: string, report: (text: string) => void, fetcher: typeof fetch = fetch): (alert: EmittedAlert) => Promise<void> {
  return async (alert) => {
    let problem = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const response = await fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
        if (response.ok) return;
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    report(`lockstep stream: webhook ${url} refused alert ${alert.cluster} (${problem}); the alert is on stdout`);
  };
}

const STREAM_USER: User = { name: 'lockstep-stream', role: 'investigator', createdAt: 0 };

/**
 * Opens a case per cluster that appears (entities: its accounts) and adds a note when it grows,
 * in the workspace store of a DuckDB file (the one `lockstep serve` uses).
 */
export async function caseSink(path: string, now: () => number = Date.now): Promise<{ alert: (alert: EmittedAlert) => Promise<void>; close: () => Promise<void> }> {
  const store = await DuckDbStore.open(path);
  const workspace: WorkspaceStore = await openDuckDbWorkspace(store.connection, () => store.close());
  const latest = new Map<string, EmittedAlert>();
  const caseOf = new Map<string, string>();
  let counter = 0;
  const service = new CaseService({
    store: workspace,
    clusters: {
      clusterForCase: async (clusterId) => {
        const alert = latest.get(clusterId);
        if (alert === undefined) return null;
        return { score: alert.score, entities: alert.members.map((id): Entity => ({ kind: 'account', id, handle: null })) };
      },
      clusterScore: async (clusterId) => latest.get(clusterId)?.score ?? null,
    },
    adapters: {},
    now,
    newId: () => `stream-${now().toString(36)}-${(counter++).toString(36)}`,
  });
  return {
    alert: async (alert) => {
      const clusterId = `stream:${alert.cluster}`;
      latest.set(clusterId, alert);
      const existing = caseOf.get(clusterId);
      const evidence = `score ${alert.score.toFixed(2)}, ${alert.members.length} accounts; traces ${alert.traces.map((entry) => `${entry.trace} (${entry.edges} edges)`).join(', ')}; top shared: ${alert.topKeys.map((entry) => `${entry.key} (${entry.trace}, ${entry.pairs} pairs)`).join(', ')}`;
      if (existing === undefined) {
        const record = await service.open(STREAM_USER, { clusterId, title: `Stream cluster ${alert.cluster}: ${alert.members.length} accounts acting in lockstep` });
        caseOf.set(clusterId, record.id);
        await service.addNote(STREAM_USER, record.id, `Raised by lockstep stream: ${evidence}`);
      } else {
        await service.addNote(STREAM_USER, existing, `Grew from ${alert.previousSize} to ${alert.members.length} accounts; new: ${alert.newMembers.join(', ')}; ${evidence}`);
      }
    },
    close: () => workspace.close(),
  };
}
