/** A typed client for the v1 API (docs/api-v1.md): one bearer token, JSON in and out, errors as ApiError. */
import type {
  AccountDetail, ActionResult, AdapterName, AuditEntry, Case, CaseDetail, CaseStatus, ClusterDetail, ClusterSummary,
  DecisionKind, DecisionResult, EntityRef, Me, Note, Page, SharedAction,
} from './api-types.js';

/** An answer that was not 2xx, with the server's stable code (or `NETWORK` when there was no answer). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface ClusterFilters { minScore?: number; trace?: string; minSize?: number; q?: string; limit?: number; offset?: number }

type Query = Record<string, string | number | undefined>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function errorFrom(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return new ApiError(status, typeof code === 'string' ? code : `HTTP_${status}`, typeof message === 'string' ? message : `HTTP ${status}`);
    }
  }
  return new ApiError(status, `HTTP_${status}`, `The server answered HTTP ${status}.`);
}

/** Everything the workspace asks the server; `fetch` is injected for tests. */
export class ApiClient {
  readonly #token: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;

  constructor(token: string, options: { base?: string; fetch?: typeof fetch } = {}) {
    this.#token = token;
    this.#base = options.base ?? '';
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError(0, 'NETWORK', `The server could not be reached (${cause instanceof Error ? cause.message : String(cause)}).`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path} answered something that is not JSON (HTTP ${response.status}).`);
      }
    }
    if (!response.ok) throw errorFrom(response.status, parsed);
    return parsed as T;
  }

  me(): Promise<Me> { return this.#call('GET', '/v1/me'); }

  clusters(filters: ClusterFilters = {}): Promise<Page<ClusterSummary> & { runId?: string | number | null }> {
    return this.#call('GET', `/v1/clusters${queryString({ ...filters })}`);
  }

  cluster(id: string): Promise<ClusterDetail> { return this.#call('GET', `/v1/clusters/${encodeURIComponent(id)}`); }

  edge(clusterId: string, source: string, target: string): Promise<{ items: SharedAction[] }> {
    return this.#call('GET', `/v1/clusters/${encodeURIComponent(clusterId)}/edge${queryString({ source, target })}`);
  }

  account(id: string): Promise<AccountDetail> { return this.#call('GET', `/v1/accounts/${encodeURIComponent(id)}`); }

  openCase(clusterId: string, title?: string): Promise<Case> {
    return this.#call('POST', '/v1/cases', title === undefined ? { clusterId } : { clusterId, title });
  }

  cases(query: { status?: CaseStatus; assignee?: string } = {}): Promise<Page<Case>> {
    return this.#call('GET', `/v1/cases${queryString(query)}`);
  }

  case(id: string): Promise<CaseDetail> { return this.#call('GET', `/v1/cases/${encodeURIComponent(id)}`); }

  transition(id: string, to: CaseStatus, options: { reason?: string; appeal?: boolean } = {}): Promise<Case> {
    return this.#call('POST', `/v1/cases/${encodeURIComponent(id)}/transition`, { to, ...options });
  }

  assign(id: string, assignee: string): Promise<Case> {
    return this.#call('POST', `/v1/cases/${encodeURIComponent(id)}/assign`, { assignee });
  }

  note(id: string, text: string): Promise<Note> {
    return this.#call('POST', `/v1/cases/${encodeURIComponent(id)}/notes`, { text });
  }

  decide(id: string, input: { entities: EntityRef[] | 'all'; decision: DecisionKind; reason: string; dryRun: boolean }): Promise<DecisionResult> {
    return this.#call('POST', `/v1/cases/${encodeURIComponent(id)}/decisions`, input);
  }

  act(id: string, input: { adapter: AdapterName; dryRun: boolean }): Promise<ActionResult> {
    return this.#call('POST', `/v1/cases/${encodeURIComponent(id)}/actions`, input);
  }

  audit(query: { caseId?: string; limit?: number; offset?: number } = {}): Promise<Page<AuditEntry>> {
    return this.#call('GET', `/v1/audit${queryString(query)}`);
  }
}
