// startSimulator: a node:http server on 127.0.0.1 that answers like OpenAI's API, records what it receives, and
// plays scripted faults. Used only when started explicitly (tollgate demo, tests, bench).
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { IdSource, type CallContext } from './answer.js';
import { deliver, later, resetConnection, sendJson, type Exchange, type Faults } from './deliver.js';
import { SimulatedApiError, defaultErrorBody, invalidApiKey, invalidJson, invalidUrl, missingApiKey } from './errors.js';
import { FastAnswers } from './fast.js';
import { FilesBatches } from './files-batches.js';
import { JSON_TYPE, SSE_TYPE, responseHeaders } from './headers.js';
import { findRoute } from './routes.js';
import type { Behaviour, SimulatedRequest, SimulatedUpstream, SimulatorOptions, UsageOverride } from './types.js';
import { PromptCache } from './usage.js';

/** How many requests `requests` keeps. */
export const REQUEST_LOG_LIMIT = 10_000;
/** Content chunks of a slow-stream behaviour that names no count. */
export const SLOW_STREAM_DEFAULT_CHUNKS = 100;

const NOT_JSON = Symbol('not json');

interface Scripted {
  text?: string;
  usage?: Partial<UsageOverride>;
  chunkCount?: number;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatedUpstream> {
  const requests: SimulatedRequest[] = [];
  const queue: Behaviour[] = [];
  const sockets = new Set<Socket>();
  const ids = new IdSource();
  const prompts = new PromptCache();
  const fast = opts.fast === true ? new FastAnswers() : undefined;
  const filesBatches = new FilesBatches(opts.batchRetrievesToComplete === undefined ? {} : { batchRetrievesToComplete: opts.batchRetrievesToComplete });

  const server = createServer((req, res) => {
    const startedAt = performance.now();
    const parts: Buffer[] = [];
    req.on('error', () => { /* the client left while sending; nothing to answer */ });
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      const parsed = parseBody(raw);
      const record: SimulatedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
        body: parsed === NOT_JSON ? raw.toString('utf8') : parsed,
        outcome: 'pending',
      };
      requests.push(record);
      if (requests.length > REQUEST_LOG_LIMIT) requests.shift();
      res.once('finish', () => { if (record.outcome === 'pending') record.outcome = 'answered'; });
      res.once('close', () => { if (record.outcome === 'pending') record.outcome = 'client-closed'; });
      const ex: Exchange = { req, res, record, requestId: ids.next('req_'), startedAt, raw };
      play(ex, queue.shift(), parsed);
    });
  });

  function play(ex: Exchange, behaviour: Behaviour | undefined, parsed: unknown): void {
    switch (behaviour?.kind) {
      case undefined:
        if (fast === undefined || !answerFast(ex, parsed)) answer(ex, parsed, {}, {});
        return;
      case 'ok':
        later(ex.res, behaviour.delayMs ?? 0, () => answer(ex, parsed, scriptedOk(behaviour), {}));
        return;
      case 'status':
        sendJson(ex, behaviour.status, behaviour.body === undefined ? defaultErrorBody(behaviour.status) : behaviour.body);
        return;
      case 'refuse':
        resetConnection(ex);
        return;
      case 'hang':
        return;
      case 'reset-mid-stream':
        answer(ex, parsed, {}, { resetAfterChunks: behaviour.afterChunks });
        return;
      case 'slow-stream': {
        const chunks = behaviour.chunks ?? SLOW_STREAM_DEFAULT_CHUNKS;
        answer(ex, parsed, { chunkCount: chunks }, { chunkDelayMs: behaviour.chunkDelayMs, jsonDelayMs: behaviour.chunkDelayMs * chunks });
        return;
      }
    }
  }

  /** The normal path: authenticate, route, run the endpoint, deliver (with any scripted faults). */
  function answer(ex: Exchange, parsed: unknown, scripted: Scripted, faults: Faults): void {
    try {
      authenticate(ex.req);
      if (FilesBatches.handles(ex.record.path)) {
        answerFilesBatches(ex, scripted);
        return;
      }
      const route = findRoute(ex.record.method, ex.record.path);
      if (route === undefined) throw invalidUrl(ex.record.method, ex.record.path);
      if (route.needsBody && (parsed === NOT_JSON || parsed === undefined)) throw invalidJson();
      const ctx: CallContext = { ids, prompts, now: Math.floor(Date.now() / 1000), ...scripted };
      deliver(ex, route.handle(parsed, ctx), faults);
    } catch (err) {
      if (ex.res.headersSent) {
        ex.res.destroy();
        return;
      }
      const error = err instanceof SimulatedApiError
        ? err
        : new SimulatedApiError(500, `The simulator failed: ${err instanceof Error ? err.message : String(err)}`, { type: 'server_error' });
      sendJson(ex, error.status, error.toBody());
    }
  }

  function answerFilesBatches(ex: Exchange, scripted: Scripted): void {
    const query = new URL(ex.req.url ?? '/', 'http://simulator').searchParams;
    const ctx: CallContext = { ids, prompts, now: Math.floor(Date.now() / 1000), ...scripted };
    const result = filesBatches.answer(ex.record.method, ex.record.path, query, ex.req.headers['content-type'], ex.raw ?? Buffer.alloc(0), ctx);
    if (result === undefined) throw invalidUrl(ex.record.method, ex.record.path);
    if (result.kind !== 'bytes') {
      deliver(ex, result);
      return;
    }
    ex.res.writeHead(result.status, { ...responseHeaders(result.contentType, ex.requestId, performance.now() - ex.startedAt), 'content-length': result.bytes.length });
    ex.res.end(result.bytes);
  }

  /** Bench mode: serve precomputed bytes; false when this request needs the normal path. */
  function answerFast(ex: Exchange, parsed: unknown): boolean {
    if (!isAuthorized(ex.req)) return false;
    const route = findRoute(ex.record.method, ex.record.path);
    if (route === undefined || !route.needsBody) return false;
    const hit = fast?.lookup(ex.record.path, route, parsed);
    if (hit === undefined) return false;
    const elapsed = performance.now() - ex.startedAt;
    if (hit.kind === 'json') {
      ex.res.writeHead(hit.status, { ...responseHeaders(JSON_TYPE, ex.requestId, elapsed), 'content-length': hit.bytes.length });
      ex.res.end(hit.bytes);
      return true;
    }
    ex.res.writeHead(200, responseHeaders(SSE_TYPE, ex.requestId, elapsed));
    ex.res.cork();
    for (const frame of hit.frames) ex.res.write(frame);
    ex.res.uncork();
    ex.res.end();
    return true;
  }

  function isAuthorized(req: IncomingMessage): boolean {
    return opts.apiKey === undefined || req.headers.authorization === `Bearer ${opts.apiKey}`;
  }

  function authenticate(req: IncomingMessage): void {
    if (isAuthorized(req)) return;
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length).trim() : '';
    throw given === '' ? missingApiKey() : invalidApiKey(given);
  }

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: server has no TCP address');

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    script(...behaviours: Behaviour[]): void {
      queue.push(...behaviours);
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function scriptedOk(b: Extract<Behaviour, { kind: 'ok' }>): Scripted {
  const scripted: Scripted = {};
  if (b.text !== undefined) scripted.text = b.text;
  if (b.usage !== undefined) scripted.usage = b.usage;
  return scripted;
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return NOT_JSON;
  }
}
