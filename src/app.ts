// Builds the HTTP request listener from its dependencies; no I/O at import time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId } from './domain/ids/ids.js';
import { ApiError, InternalError } from './http/errors.js';
import { sendError } from './http/respond.js';
import { route } from './http/router.js';
import { metrics } from './observability/metrics.js';
import type { GatewayDeps } from './services/gateway-deps.js';

export function createApp(deps: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
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
    handler(req, res, ctx, deps).catch((err: unknown) => {
      fail(res, err, deps, ctx.requestId);
      req.resume();
    });
  };
}

function fail(res: ServerResponse, err: unknown, deps: GatewayDeps, requestId: string): void {
  if (err instanceof ApiError) {
    sendError(res, err);
    return;
  }
  deps.logger.error('unhandled error', { requestId, error: (err as Error)?.stack ?? String(err) });
  if (res.headersSent) res.destroy();
  else sendError(res, new InternalError());
}
