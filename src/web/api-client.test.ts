import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError } from './api-client.js';

function recordingFetch(status: number, body: string): { fetch: typeof fetch; calls: { url: string; init: RequestInit | undefined }[] } {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: fake, calls };
}

describe('ApiClient', () => {
  it('sends the bearer token and the filters the user set, and leaves out the empty ones', async () => {
    const { fetch, calls } = recordingFetch(200, JSON.stringify({ items: [], total: 0 }));
    await new ApiClient('tok', { fetch }).clusters({ minScore: 0.5, trace: 'url', q: '' });
    assert.equal(calls[0]?.url, '/v1/clusters?minScore=0.5&trace=url');
    assert.deepEqual(calls[0]?.init?.headers, { authorization: 'Bearer tok' });
  });

  it('posts decisions as JSON', async () => {
    const { fetch, calls } = recordingFetch(200, JSON.stringify({ dryRun: true, decisions: [], changes: [] }));
    await new ApiClient('tok', { fetch }).decide('case 1', { entities: 'all', decision: 'suspend', reason: 'r', dryRun: true });
    assert.equal(calls[0]?.url, '/v1/cases/case%201/decisions');
    assert.equal(calls[0]?.init?.method, 'POST');
    assert.deepEqual(JSON.parse(String(calls[0]?.init?.body)), { entities: 'all', decision: 'suspend', reason: 'r', dryRun: true });
  });

  it('turns an error answer into an ApiError with the server\'s code and message', async () => {
    const { fetch } = recordingFetch(409, JSON.stringify({ error: { code: 'CONFLICT', message: 'Cluster 3 already has case 1.' } }));
    await assert.rejects(new ApiClient('tok', { fetch }).openCase('3'), (error: unknown) =>
      error instanceof ApiError && error.status === 409 && error.code === 'CONFLICT' && error.message === 'Cluster 3 already has case 1.');
  });

  it('says so when the answer is not JSON or there is no answer', async () => {
    const { fetch } = recordingFetch(502, '<html>bad gateway</html>');
    await assert.rejects(new ApiClient('tok', { fetch }).me(), (error: unknown) => error instanceof ApiError && error.code === 'BAD_RESPONSE' && error.status === 502);
    const down = (async () => { throw new TypeError('fetch failed'); }) as typeof globalThis.fetch;
    await assert.rejects(new ApiClient('tok', { fetch: down }).me(), (error: unknown) => error instanceof ApiError && error.code === 'NETWORK' && /fetch failed/.test(error.message));
  });
});
