/**
 * An Ozone-shaped XRPC server for tests: `tools.ozone.moderation.emitEvent` and
 * `com.atproto.moderation.createReport`, checked against the lexicons (event $type one of the
 * defs, subject a repoRef with a DID or a strongRef, createdBy a DID, modTool {name, meta?},
 * externalId deduped per subject and event type with 400 `DuplicateExternalId`), answering a
 * modEventView / createReport output, XRPC errors `{ error, message }`, and 429
 * `RateLimitExceeded` with RateLimit-* headers.
 */
import { startFakeServer } from './fake-server.js';
import type { FakeReply, FakeServer, RecordedRequest } from './fake-server.js';

export const FAKE_OZONE_TOKEN = 'fake-ozone-token';
const DEFS = 'tools.ozone.moderation.defs';
const EVENT_TYPES = ['modEventTakedown', 'modEventReverseTakedown', 'modEventLabel', 'modEventTag', 'modEventComment', 'modEventAcknowledge', 'modEventEscalate', 'modEventReport'].map((name) => `${DEFS}#${name}`);
const REASON_TYPES = ['com.atproto.moderation.defs#reasonSpam', 'com.atproto.moderation.defs#reasonViolation', 'com.atproto.moderation.defs#reasonMisleading', 'com.atproto.moderation.defs#reasonOther', 'tools.ozone.report.defs#reasonMisleadingBot', 'tools.ozone.report.defs#reasonMisleadingSpam'];

export interface FakeOzone extends FakeServer {
  /** Emitted events (after dedupe), in order. */
  events: { id: number; type: string; did: string; externalId: string | null; body: Record<string, unknown> }[];
  reports: { id: number; reasonType: string; did: string }[];
}

export function ozoneRateLimited(resetSeconds = 1): FakeReply {
  return {
    status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
    headers: { 'ratelimit-limit': '3000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + resetSeconds), 'ratelimit-policy': '3000;w=300' },
  };
}

const invalid = (message: string): FakeReply => ({ status: 400, body: { error: 'InvalidRequest', message } });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isDid = (value: unknown): value is string => typeof value === 'string' && /^did:[a-z]+:[a-zA-Z0-9._:%-]+$/.test(value);

function subjectDid(subject: unknown): string | FakeReply {
  if (!isObject(subject)) return invalid('Input must have the property "subject"');
  if (subject['$type'] === 'com.atproto.admin.defs#repoRef') return isDid(subject['did']) ? subject['did'] : invalid('Input/subject/did must be a valid did');
  if (subject['$type'] === 'com.atproto.repo.strongRef') {
    return typeof subject['uri'] === 'string' && typeof subject['cid'] === 'string' ? subject['uri'] : invalid('Input/subject must have uri and cid');
  }
  return invalid('Input/subject must be an object which includes the "$type" property');
}

function checkModTool(modTool: unknown): FakeReply | null {
  if (modTool === undefined) return null;
  if (!isObject(modTool) || typeof modTool['name'] !== 'string') return invalid('Input/modTool must have the property "name"');
  if (modTool['meta'] !== undefined && !isObject(modTool['meta'])) return invalid('Input/modTool/meta must be an object');
  return null;
}

function checkEvent(event: Record<string, unknown>): FakeReply | null {
  const type = String(event['$type']);
  const strings = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (type.endsWith('#modEventLabel') && !(strings(event['createLabelVals']) && strings(event['negateLabelVals']))) return invalid('Input/event must have createLabelVals and negateLabelVals');
  if (type.endsWith('#modEventTag') && !(strings(event['add']) && strings(event['remove']))) return invalid('Input/event must have add and remove');
  if (event['comment'] !== undefined && typeof event['comment'] !== 'string') return invalid('Input/event/comment must be a string');
  return null;
}

export async function startFakeOzone(options: { token?: string } = {}): Promise<FakeOzone> {
  const token = options.token ?? FAKE_OZONE_TOKEN;
  const events: FakeOzone['events'] = [];
  const reports: FakeOzone['reports'] = [];
  let nextId = 1;
  const handle = (request: Omit<RecordedRequest, 'status'>): FakeReply => {
    if (request.headers['authorization'] !== `Bearer ${token}`) return { status: 401, body: { error: 'AuthMissing', message: 'Authentication Required' } };
    if (request.method !== 'POST') return { status: 405, body: { error: 'InvalidRequest', message: 'Incorrect HTTP method' } };
    if (!(request.headers['content-type'] ?? '').includes('application/json')) return invalid('Wrong request encoding (Content-Type): expected application/json');
    const body = request.parsed;
    if (!isObject(body)) return invalid('Input must be an object');
    if (request.path === '/xrpc/tools.ozone.moderation.emitEvent') {
      const event = body['event'];
      if (!isObject(event) || !EVENT_TYPES.includes(String(event['$type']))) return invalid('Input/event must be an object which includes the "$type" property');
      const did = subjectDid(body['subject']);
      if (typeof did !== 'string') return did;
      if (!isDid(body['createdBy'])) return invalid('Input/createdBy must be a valid did');
      const problem = checkEvent(event) ?? checkModTool(body['modTool']);
      if (problem !== null) return problem;
      const externalId = body['externalId'];
      if (externalId !== undefined && typeof externalId !== 'string') return invalid('Input/externalId must be a string');
      const type = String(event['$type']);
      if (typeof externalId === 'string' && events.some((item) => item.externalId === externalId && item.did === did && item.type === type)) {
        return { status: 400, body: { error: 'DuplicateExternalId', message: 'An event with the same external ID already exists for the subject.' } };
      }
      const id = nextId++;
      events.push({ id, type, did, externalId: typeof externalId === 'string' ? externalId : null, body });
      return { status: 200, body: { id, event, subject: body['subject'], subjectBlobCids: [], createdBy: body['createdBy'], createdAt: new Date().toISOString() } };
    }
    if (request.path === '/xrpc/com.atproto.moderation.createReport') {
      if (typeof body['reasonType'] !== 'string' || !REASON_TYPES.includes(body['reasonType'])) return invalid('Input/reasonType must be a known reason type');
      const did = subjectDid(body['subject']);
      if (typeof did !== 'string') return did;
      const problem = checkModTool(body['modTool']);
      if (problem !== null) return problem;
      const id = nextId++;
      reports.push({ id, reasonType: body['reasonType'], did });
      return { status: 200, body: { id, reasonType: body['reasonType'], reason: body['reason'], subject: body['subject'], reportedBy: 'did:plc:reporter', createdAt: new Date().toISOString() } };
    }
    return { status: 501, body: { error: 'MethodNotImplemented', message: 'Method Not Implemented' } };
  };
  const server = await startFakeServer(handle);
  return { ...server, events, reports };
}
