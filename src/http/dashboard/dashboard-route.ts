// /dashboard/api/* goes to the dashboard's JSON API; any other GET under /dashboard/ is the built web app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import type { RequestContext } from '../../services/usage-record.js';
import { MethodNotAllowedError, RouteNotFoundError } from '../errors.js';
import { dashboardApiRoute } from './dashboard-api.js';
import { serveDashboardFile } from './dashboard-static.js';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>;

export function dashboardRoute(method: string, path: string): Handler {
  if (path.startsWith('/dashboard/api/')) {
    const api = dashboardApiRoute(method, path);
    if (!api) throw new RouteNotFoundError(method, path);
    return api;
  }
  if (method !== 'GET' && method !== 'HEAD') throw new MethodNotAllowedError(method, path);
  return async (_req, res) => serveDashboardFile(res, path);
}
