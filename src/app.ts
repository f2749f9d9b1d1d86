// Builds the HTTP request listener from its dependencies; no I/O at import time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from './domain/ids/ids.js';
import { ApiError, InternalError, ServiceUnavailableError } from './http/errors.js';
import { sendError } from './http/respond.js';
import { route } from './http/router.js';
import { metrics } from './observability/metrics.js';
import type { GatewayDeps } from './services/gateway-deps.js';

export interface App {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Resolves when no request handler is running (used by graceful shutdown, after the server stopped accepting). */
  idle(): Promise<void>;
}

export function createApp(deps: GatewayDeps): App {
  let running = 0;
  let waiters: Array<() => void> = [];
  const done = () => {
    running--;
    if (running === 0) {
      const ws = waiters;
      waiters = [];
      for (const w of ws) w();
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const ctx = { requestId: newRequestId(), startedAt: deps.now() };
    res.setHeader('x-request-id', ctx.requestId);
    metrics.requests.inc();
    let handler;
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      handler = route(req.method ?? 'GET', q >= 0 ? url.slice(0, q) : url);
    } catch (err) {
      fail(res, err, deps, ctx.requestId);
      req.resume();
      return;
    }
    running++;
    handler(req, res, ctx, deps).catch((err: unknown) => {
      fail(res, err, deps, ctx.requestId);
      req.resume();
    }).finally(done);
  };
  return {
    listener,
    idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}

function fail(res: ServerResponse, err: unknown, deps: GatewayDeps, requestId: string): void {
  if (err instanceof ApiError) {
    sendError(res, err);
    return;
  }
  if (isStoreUnavailable(err)) {
    metrics.storeFailures.inc();
    deps.logger.warn('store unavailable', { requestId, error: (err as Error).message });
    if (res.headersSent) res.destroy();
    else sendError(res, new ServiceUnavailableError('The billing store is unavailable right now. No credit was charged; please retry.'));
    return;
  }
  deps.logger.error('unhandled error', { requestId, error: (err as Error)?.stack ?? String(err) });
  if (res.headersSent) res.destroy();
  else sendError(res, new InternalError());
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY']);

/** Connection-level store failures (PostgreSQL restarting or unreachable): answered 503, fail closed. */
export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
