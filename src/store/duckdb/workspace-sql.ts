/**
 * The workspace store over SQL both DuckDB and PostgreSQL speak ($n parameters, BIGINT, VARCHAR),
 * so the embedded store and PostgreSQL share one implementation and differ only in how they
 * run a query and a transaction. Audit appends lock the log's head row (PostgreSQL: FOR UPDATE,
 * so replicas append in turn; DuckDB: one writer per file, calls serialised in-process).
 */
import { chainEntry } from '../../cases/audit.js';
import { canonicalJson } from '../../cases/audit.js';
import type { CaseFilter, WorkspaceStore } from '../../cases/port.js';
import type { AuditEntry, AuditInput, CaseRecord, CaseStatus, Decision, DecisionKind, Entity, EntityKind, Note, Outcome, OutcomeStatus, Role, User, AdapterName } from '../../cases/types.js';

export type SqlValue = string | number | boolean | null;
export type SqlRow = Record<string, unknown>;

export interface SqlRunner {
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (run: (sql: string, params?: readonly SqlValue[]) => Promise<SqlRow[]>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Clause that locks the selected rows for the transaction ('' where the engine has one writer). */
  readonly forUpdate: string;
}

export const WORKSPACE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ws_users (name VARCHAR NOT NULL, role VARCHAR NOT NULL, token_hash VARCHAR NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_cases (id VARCHAR NOT NULL, cluster_id VARCHAR NOT NULL, title VARCHAR NOT NULL, status VARCHAR NOT NULL,
     assignee VARCHAR, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_case_entities (case_id VARCHAR NOT NULL, ord INTEGER NOT NULL, kind VARCHAR NOT NULL, id VARCHAR NOT NULL, handle VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ws_notes (id VARCHAR NOT NULL, case_id VARCHAR NOT NULL, author VARCHAR NOT NULL, text VARCHAR NOT NULL, time BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_decisions (case_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, decision VARCHAR NOT NULL,
     reason VARCHAR NOT NULL, author VARCHAR NOT NULL, time BIGINT NOT NULL, seq BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_outcomes (case_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, entity_id VARCHAR NOT NULL, decision VARCHAR NOT NULL,
     adapter VARCHAR NOT NULL, status VARCHAR NOT NULL, attempts INTEGER NOT NULL, detail VARCHAR NOT NULL, time BIGINT NOT NULL, seq BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_audit (seq BIGINT NOT NULL, time BIGINT NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL, subject VARCHAR NOT NULL,
     case_id VARCHAR, payload VARCHAR NOT NULL, prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_audit_head (id INTEGER NOT NULL, count BIGINT NOT NULL, hash VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ws_counters (name VARCHAR NOT NULL, value BIGINT NOT NULL)`,
];

type Run = (sql: string, params?: readonly SqlValue[]) => Promise<SqlRow[]>;

/** Inserts rows with one statement per 200 rows, not one per row (thousands of decisions at once). */
async function insertMany(run: Run, target: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 200) {
    const values: SqlValue[] = [];
    const tuples = rows.slice(start, start + 200).map((row) => {
      const base = values.length;
      values.push(...row);
      return `(${row.map((_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await run(`INSERT INTO ${target} VALUES ${tuples.join(', ')}`, values);
  }
}

const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const num = (value: unknown): number => Number(value ?? 0);
const optStr = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function toCase(row: SqlRow): CaseRecord {
  return {
    id: str(row['id']), clusterId: str(row['cluster_id']), title: str(row['title']), status: str(row['status']) as CaseStatus,
    assignee: optStr(row['assignee']), createdAt: num(row['created_at']), updatedAt: num(row['updated_at']),
  };
}

function toAudit(row: SqlRow): AuditEntry {
  return {
    seq: num(row['seq']), time: num(row['time']), actor: str(row['actor']), action: str(row['action']), subject: str(row['subject']),
    caseId: optStr(row['case_id']), payload: JSON.parse(str(row['payload'])) as unknown, prevHash: str(row['prev_hash']), hash: str(row['hash']),
  };
}

export class SqlWorkspaceStore implements WorkspaceStore {
  constructor(private readonly sql: SqlRunner) {}

  /** Creates the tables (idempotent). */
  async migrate(): Promise<void> {
    for (const ddl of WORKSPACE_DDL) await this.sql.query(ddl);
  }

  async addUser(user: User & { tokenHash: string }): Promise<void> {
    await this.sql.query('INSERT INTO ws_users (name, role, token_hash, created_at) VALUES ($1, $2, $3, $4)', [user.name, user.role, user.tokenHash, user.createdAt]);
  }

  async userByTokenHash(tokenHash: string): Promise<User | null> {
    const rows = await this.sql.query('SELECT name, role, created_at FROM ws_users WHERE token_hash = $1', [tokenHash]);
    const row = rows[0];
    return row === undefined ? null : { name: str(row['name']), role: str(row['role']) as Role, createdAt: num(row['created_at']) };
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.sql.query('SELECT name, role, created_at FROM ws_users ORDER BY created_at, name');
    return rows.map((row) => ({ name: str(row['name']), role: str(row['role']) as Role, createdAt: num(row['created_at']) }));
  }

  async setUserRole(name: string, role: Role): Promise<boolean> {
    const rows = await this.sql.query('SELECT count(*) AS n FROM ws_users WHERE name = $1', [name]);
    if (num(rows[0]?.['n']) === 0) return false;
    await this.sql.query('UPDATE ws_users SET role = $1 WHERE name = $2', [role, name]);
    return true;
  }

  async insertCase(record: CaseRecord, entities: readonly Entity[]): Promise<void> {
    await this.sql.transaction(async (run) => {
      await run('INSERT INTO ws_cases (id, cluster_id, title, status, assignee, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [record.id, record.clusterId, record.title, record.status, record.assignee, record.createdAt, record.updatedAt]);
      await insertMany(run, 'ws_case_entities (case_id, ord, kind, id, handle)', entities.map((entity, i) => [record.id, i, entity.kind, entity.id, entity.handle]));
    });
  }

  async getCase(id: string): Promise<CaseRecord | null> {
    const rows = await this.sql.query('SELECT * FROM ws_cases WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toCase(rows[0]);
  }

  async listCases(filter: CaseFilter): Promise<CaseRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    add('status', filter.status);
    add('assignee', filter.assignee);
    add('cluster_id', filter.clusterId);
    const rows = await this.sql.query(`SELECT * FROM ws_cases ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY created_at DESC, id`, params);
    return rows.map(toCase);
  }

  async updateCase(record: CaseRecord): Promise<void> {
    await this.sql.query('UPDATE ws_cases SET title = $1, status = $2, assignee = $3, updated_at = $4 WHERE id = $5',
      [record.title, record.status, record.assignee, record.updatedAt, record.id]);
  }

  async caseEntities(caseId: string): Promise<Entity[]> {
    const rows = await this.sql.query('SELECT kind, id, handle FROM ws_case_entities WHERE case_id = $1 ORDER BY ord', [caseId]);
    return rows.map((row) => ({ kind: str(row['kind']) as EntityKind, id: str(row['id']), handle: optStr(row['handle']) }));
  }

  async addNote(note: Note): Promise<void> {
    await this.sql.query('INSERT INTO ws_notes (id, case_id, author, text, time) VALUES ($1, $2, $3, $4, $5)', [note.id, note.caseId, note.author, note.text, note.time]);
  }

  async notes(caseId: string): Promise<Note[]> {
    const rows = await this.sql.query('SELECT * FROM ws_notes WHERE case_id = $1 ORDER BY time, id', [caseId]);
    return rows.map((row) => ({ id: str(row['id']), caseId: str(row['case_id']), author: str(row['author']), text: str(row['text']), time: num(row['time']) }));
  }

  private async nextCounter(run: (sql: string, params?: readonly SqlValue[]) => Promise<SqlRow[]>, name: string, count: number): Promise<number> {
    const rows = await run(`SELECT value FROM ws_counters WHERE name = $1 ${this.sql.forUpdate}`, [name]);
    const current = rows[0] === undefined ? 0 : num(rows[0]['value']);
    if (rows[0] === undefined) await run('INSERT INTO ws_counters (name, value) VALUES ($1, $2)', [name, current + count]);
    else await run('UPDATE ws_counters SET value = $1 WHERE name = $2', [current + count, name]);
    return current + 1;
  }

  async addDecisions(decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    await this.sql.transaction(async (run) => {
      const first = await this.nextCounter(run, 'decisions', decisions.length);
      await insertMany(run, 'ws_decisions (case_id, kind, entity_id, decision, reason, author, time, seq)', decisions.map((decision, i) =>
        [decision.caseId, decision.entity.kind, decision.entity.id, decision.decision, decision.reason, decision.author, decision.time, first + i]));
    });
  }

  async decisions(caseId: string): Promise<Decision[]> {
    const rows = await this.sql.query(
      `SELECT d.* FROM ws_decisions d JOIN (SELECT kind, entity_id, max(seq) AS seq FROM ws_decisions WHERE case_id = $1 GROUP BY kind, entity_id) latest
         ON d.seq = latest.seq WHERE d.case_id = $1 ORDER BY d.seq`, [caseId]);
    return rows.map((row) => ({
      caseId: str(row['case_id']), entity: { kind: str(row['kind']) as EntityKind, id: str(row['entity_id']) }, decision: str(row['decision']) as DecisionKind,
      reason: str(row['reason']), author: str(row['author']), time: num(row['time']),
    }));
  }

  async addOutcome(outcome: Outcome): Promise<void> {
    await this.sql.transaction(async (run) => {
      const seq = await this.nextCounter(run, 'outcomes', 1);
      await run('INSERT INTO ws_outcomes (case_id, kind, entity_id, decision, adapter, status, attempts, detail, time, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [outcome.caseId, outcome.entity.kind, outcome.entity.id, outcome.decision, outcome.adapter, outcome.status, outcome.attempts, outcome.detail, outcome.time, seq]);
    });
  }

  async outcomes(caseId: string): Promise<Outcome[]> {
    const rows = await this.sql.query('SELECT * FROM ws_outcomes WHERE case_id = $1 ORDER BY seq', [caseId]);
    return rows.map((row) => ({
      caseId: str(row['case_id']), entity: { kind: str(row['kind']) as EntityKind, id: str(row['entity_id']) }, decision: str(row['decision']) as DecisionKind,
      adapter: str(row['adapter']) as AdapterName, status: str(row['status']) as OutcomeStatus, attempts: num(row['attempts']), detail: str(row['detail']), time: num(row['time']),
    }));
  }

  async appendAudit(entries: readonly AuditInput[]): Promise<AuditEntry[]> {
    if (entries.length === 0) return [];
    return this.sql.transaction(async (run) => {
      let head = await run(`SELECT count, hash FROM ws_audit_head WHERE id = 1 ${this.sql.forUpdate}`);
      if (head[0] === undefined) {
        await run('INSERT INTO ws_audit_head (id, count, hash) VALUES (1, 0, $1)', ['']);
        head = await run(`SELECT count, hash FROM ws_audit_head WHERE id = 1 ${this.sql.forUpdate}`);
      }
      let previous = num(head[0]?.['count']) === 0 ? null : { seq: num(head[0]?.['count']), hash: str(head[0]?.['hash']) };
      const written: AuditEntry[] = [];
      for (const input of entries) {
        const entry = chainEntry(previous, input);
        written.push(entry);
        previous = entry;
      }
      await insertMany(run, 'ws_audit (seq, time, actor, action, subject, case_id, payload, prev_hash, hash)', written.map((entry) =>
        [entry.seq, entry.time, entry.actor, entry.action, entry.subject, entry.caseId, canonicalJson(entry.payload), entry.prevHash, entry.hash]));
      await run('UPDATE ws_audit_head SET count = $1, hash = $2 WHERE id = 1', [previous?.seq ?? 0, previous?.hash ?? '']);
      return written;
    });
  }

  async audit(query: { caseId?: string; limit: number; offset: number }): Promise<{ items: AuditEntry[]; total: number }> {
    const where = query.caseId === undefined ? '' : 'WHERE case_id = $1';
    const params: SqlValue[] = query.caseId === undefined ? [] : [query.caseId];
    const total = await this.sql.query(`SELECT count(*) AS n FROM ws_audit ${where}`, params);
    const rows = await this.sql.query(
      `SELECT * FROM ws_audit ${where} ORDER BY seq LIMIT CAST($${params.length + 1} AS BIGINT) OFFSET CAST($${params.length + 2} AS BIGINT)`,
      [...params, query.limit, query.offset]);
    return { items: rows.map(toAudit), total: num(total[0]?.['n']) };
  }

  async allAudit(): Promise<AuditEntry[]> {
    return (await this.sql.query('SELECT * FROM ws_audit ORDER BY seq')).map(toAudit);
  }

  async auditHead(): Promise<{ count: number; hash: string } | null> {
    const rows = await this.sql.query('SELECT count, hash FROM ws_audit_head WHERE id = 1');
    const row = rows[0];
    return row === undefined || num(row['count']) === 0 ? null : { count: num(row['count']), hash: str(row['hash']) };
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}
