// Writes an answer to the wire: JSON in one piece, a stream one SSE frame per write, and the scripted faults
// (pauses, a connection reset after N content frames) on the way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from './answer.js';
import { JSON_TYPE, SSE_TYPE, responseHeaders } from './headers.js';
import type { SimulatedRequest } from './types.js';

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: SimulatedRequest;
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** The request body as received (file uploads are not JSON). */
  raw?: Buffer;
}

export interface Faults {
  /** Destroy the connection after this many content frames (or, for a JSON answer, halfway through the body). */
  resetAfterChunks?: number;
  /** Pause before each content frame of a stream. */
  chunkDelayMs?: number;
  /** Pause before a JSON answer. */
  jsonDelayMs?: number;
}

/** True once the client connection is gone (closed by either side). */
export function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket?.destroyed === true;
}

/** Runs `fn` after `ms` (next turn when 0) unless the response closes first. */
export function later(res: ServerResponse, ms: number, fn: () => void): void {
  if (isGone(res)) return;
  const cancel = () => (ms > 0 ? clearTimeout(timer as NodeJS.Timeout) : clearImmediate(timer as NodeJS.Immediate));
  const run = () => {
    res.off('close', cancel);
    fn();
  };
  const timer: NodeJS.Timeout | NodeJS.Immediate = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
  res.once('close', cancel);
}

/** Destroys the connection with a TCP reset, so the client sees ECONNRESET rather than a clean end. */
export function resetConnection(ex: Exchange): void {
  const socket = ex.req.socket;
  if (socket.destroyed) return;
  ex.record.outcome = 'reset';
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export function sendJson(ex: Exchange, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  ex.res.writeHead(status, { ...responseHeaders(JSON_TYPE, ex.requestId, performance.now() - ex.startedAt), 'content-length': bytes.length });
  ex.res.end(bytes);
}

export function deliver(ex: Exchange, answer: Answer, faults: Faults = {}): void {
  if (answer.kind === 'json') {
    const delay = faults.jsonDelayMs ?? 0;
    if (delay > 0) {
      later(ex.res, delay, () => deliverJson(ex, answer.status, answer.body, faults));
    } else {
      deliverJson(ex, answer.status, answer.body, faults);
    }
    return;
  }
  const frames = [...answer.head, ...answer.content, ...answer.tail];
  const firstContent = answer.head.length;
  const endOfContent = firstContent + answer.content.length;
  const resetAt = faults.resetAfterChunks === undefined
    ? undefined
    : firstContent + Math.min(Math.max(0, faults.resetAfterChunks), answer.content.length);
  ex.res.writeHead(200, responseHeaders(SSE_TYPE, ex.requestId, performance.now() - ex.startedAt));
  ex.res.flushHeaders();

  let next = 0;
  const step = (): void => {
    if (isGone(ex.res)) return;
    if (next === resetAt) {
      resetConnection(ex);
      return;
    }
    const frame = frames[next];
    if (frame === undefined) {
      ex.res.end();
      return;
    }
    next += 1;
    const pause = next >= firstContent && next < endOfContent ? (faults.chunkDelayMs ?? 0) : 0;
    // The next frame goes out once this one reached the socket: one frame per write, and a reset never drops
    // frames that were already sent.
    ex.res.write(frame, () => later(ex.res, pause, step));
  };
  step();
}

function deliverJson(ex: Exchange, status: number, body: unknown, faults: Faults): void {
  if (faults.resetAfterChunks === undefined) {
    sendJson(ex, status, body);
    return;
  }
  const bytes = Buffer.from(JSON.stringify(body));
  ex.res.writeHead(status, { ...responseHeaders(JSON_TYPE, ex.requestId, performance.now() - ex.startedAt), 'content-length': bytes.length });
  ex.res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => resetConnection(ex));
}
