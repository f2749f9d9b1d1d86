// The Files and Batch API pass-through: /v1/files and /v1/batches go to the upstream with Tollgate's one key, so
// ownership is enforced here — another account's file or batch is the same 404 as an unknown id, and lists show
// only the account's own. Batches are held at creation and settled at batch prices (services/batches).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { batchesFor, type Batches } from '../../services/batches/batches.js';
import { asUpstreamBatch } from '../../services/batches/batch-settlement.js';
import { readBounded } from '../../services/batches/read-bounded.js';
import type { RequestContext } from '../../services/usage-record.js';
import type { KeyLookup } from '../../store/store.js';
import { passThroughHeaders } from '../../upstream/upstream-client.js';
import { InvalidRequestError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from '../errors.js';
import { LimitedStream } from '../limited-stream.js';
import { parseJsonObject } from '../read-body.js';
import { sendBytes, sendJson } from '../respond.js';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>;

export function isFilesBatchesPath(path: string): boolean {
  return path === '/v1/files' || path.startsWith('/v1/files/') || path === '/v1/batches' || path.startsWith('/v1/batches/');
}

/** The handler for a /v1/files or /v1/batches path, or OpenAI's 404 / 405. */
export function filesBatchesRoute(method: string, path: string): Handler {
  const [kind, rawId, action, extra] = path.split('/').slice(2);
  let id: string | undefined;
  try {
    id = rawId === undefined ? undefined : decodeURIComponent(rawId);
  } catch {
    throw new RouteNotFoundError(method, path);
  }
  if (extra !== undefined || id === '') throw new RouteNotFoundError(method, path);
  const allow = (m: string, h: Handler): Handler => {
    if (method !== m) throw new MethodNotAllowedError(method, path);
    return h;
  };
  if (kind === 'files') {
    if (id === undefined) return method === 'POST' ? upload : allow('GET', listFiles);
    if (action === undefined) {
      if (method === 'DELETE') return (req, res, ctx, deps) => deleteFile(req, res, deps, id);
      return allow('GET', (req, res, _ctx, deps) => retrieveFile(req, res, deps, id));
    }
    if (action === 'content') return allow('GET', (req, res, _ctx, deps) => fileContent(req, res, deps, id));
  }
  if (kind === 'batches') {
    if (id === undefined) return method === 'POST' ? createBatch : allow('GET', listBatches);
    if (action === undefined) return allow('GET', (req, res, _ctx, deps) => retrieveBatch(req, res, deps, id));
    if (action === 'cancel') return allow('POST', (req, res, _ctx, deps) => cancelBatch(req, res, deps, id));
  }
  throw new RouteNotFoundError(method, path);
}

interface Call {
  who: KeyLookup;
  batches: Batches;
}

async function begin(req: IncomingMessage, deps: GatewayDeps): Promise<Call> {
  await deps.watcher.check();
  return { who: await deps.keys.projectKey(req.headers), batches: batchesFor(deps) };
}

function query(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(q) : '';
}

async function upstreamJson(deps: GatewayDeps, method: 'GET' | 'POST' | 'DELETE', path: string, body?: Buffer | Readable, contentType?: string) {
  const res = await deps.upstream.send({ method, path, ...(body ? { body } : {}), ...(contentType ? { contentType } : {}) });
  const payload = await readBounded(res.body, deps.config.maxBodyBytes);
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  return { res, payload, json: ok ? parseJsonObject(payload) : undefined };
}

function relay(res: ServerResponse, upstream: Dispatcher.ResponseData, payload: Buffer): void {
  sendBytes(res, upstream.statusCode, payload, passThroughHeaders(upstream.headers));
}

const upload: Handler = async (req, res, _ctx, deps) => {
  const { who, batches } = await begin(req, deps);
  const contentType = String(req.headers['content-type'] ?? '');
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw new InvalidRequestError('Uploads must be multipart/form-data with a `file` and a `purpose`.', 'file');
  }
  const limit = deps.config.maxFileBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new PayloadTooLargeError(limit);
  }
  // Streamed through to the upstream as it arrives; cut off (413) as soon as it passes the limit.
  const limited = new LimitedStream(limit);
  req.pipe(limited);
  req.once('error', (err) => limited.destroy(err));
  let upload;
  try {
    upload = await upstreamJson(deps, 'POST', '/files', limited, contentType);
  } catch (err) {
    if (limited.tripped) {
      req.resume();
      throw new PayloadTooLargeError(limit);
    }
    throw err;
  }
  const { res: up, payload, json } = upload;
  if (json && typeof json.id === 'string') await batches.store.recordFile(json.id, who.account.id, deps.now());
  relay(res, up, payload);
};

const listFiles: Handler = async (req, res, _ctx, deps) => {
  const { who, batches } = await begin(req, deps);
  const { res: up, payload, json } = await upstreamJson(deps, 'GET', `/files${query(req)}`);
  if (!json) return relay(res, up, payload);
  const data = listData(json);
  const own = await batches.store.filesOwnedBy(who.account.id, data.map((d) => String(d.id)));
  sendJson(res, 200, page(json, data.filter((d) => own.has(String(d.id)))), passThroughHeaders(up.headers));
};

async function retrieveFile(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, id: string): Promise<void> {
  const { who, batches } = await begin(req, deps);
  await batches.ownFile(who, id);
  const { res: up, payload } = await upstreamJson(deps, 'GET', `/files/${encodeURIComponent(id)}`);
  relay(res, up, payload);
}

async function deleteFile(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, id: string): Promise<void> {
  const { who, batches } = await begin(req, deps);
  await batches.ownFile(who, id);
  const { res: up, payload, json } = await upstreamJson(deps, 'DELETE', `/files/${encodeURIComponent(id)}`);
  if (json?.deleted === true) await batches.store.forgetFile(id);
  relay(res, up, payload);
}

/** File bytes are streamed through, never buffered. */
async function fileContent(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, id: string): Promise<void> {
  const { who, batches } = await begin(req, deps);
  await batches.ownFile(who, id);
  const up = await deps.upstream.send({ method: 'GET', path: `/files/${encodeURIComponent(id)}/content` });
  const headers: Record<string, string> = passThroughHeaders(up.headers);
  const length = up.headers['content-length'];
  if (typeof length === 'string') headers['content-length'] = length;
  res.writeHead(up.statusCode, headers);
  await pipeline(up.body, res);
}

const createBatch: Handler = async (req, res, ctx, deps) => {
  const { who, batches } = await begin(req, deps);
  const created = await batches.create(req, ctx, who);
  sendBytes(res, created.status, created.payload, passThroughHeaders(created.headers));
};

const listBatches: Handler = async (req, res, _ctx, deps) => {
  const { who, batches } = await begin(req, deps);
  const { res: up, payload, json } = await upstreamJson(deps, 'GET', `/batches${query(req)}`);
  if (!json) return relay(res, up, payload);
  const data = listData(json);
  const own = await batches.store.batchesOwnedBy(who.account.id, data.map((d) => String(d.id)));
  const mine = data.filter((d) => own.has(String(d.id)));
  for (const item of mine) {
    const b = asUpstreamBatch(item);
    const row = b && (await batches.store.getBatch(b.id));
    if (b && row) await batches.observe(row, b);
  }
  sendJson(res, 200, page(json, mine), passThroughHeaders(up.headers));
};

async function retrieveBatch(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, id: string): Promise<void> {
  const { who, batches } = await begin(req, deps);
  const row = await batches.ownBatch(who, id);
  const { res: up, payload, json } = await upstreamJson(deps, 'GET', `/batches/${encodeURIComponent(id)}`);
  const batch = asUpstreamBatch(json);
  if (batch) await batches.observe(row, batch);
  relay(res, up, payload);
}

async function cancelBatch(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, id: string): Promise<void> {
  const { who, batches } = await begin(req, deps);
  const row = await batches.ownBatch(who, id);
  const { res: up, payload, json } = await upstreamJson(deps, 'POST', `/batches/${encodeURIComponent(id)}/cancel`);
  const batch = asUpstreamBatch(json);
  if (batch) await batches.observe(row, batch);
  relay(res, up, payload);
}

function listData(json: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(json.data) ? json.data.filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object') : [];
}

/** The upstream page with only the account's items; has_more is the upstream's, so cursor paging still reaches every item. */
function page(json: Record<string, unknown>, data: Array<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json, data };
  if ('first_id' in json) out.first_id = data[0]?.id ?? null;
  if ('last_id' in json) out.last_id = data.at(-1)?.id ?? null;
  return out;
}
