// Maps method + path to a handler. The OpenAI surface is small and fixed, so a table beats a framework here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Endpoint } from '../domain/metering/endpoint.js';
import type { GatewayDeps } from '../services/gateway-deps.js';
import { handleMetered } from '../services/metered-call.js';
import type { RequestContext } from '../services/usage-record.js';
import { MethodNotAllowedError, RouteNotFoundError } from './errors.js';
import { health } from './routes/health.js';
import { getModel, listModels } from './routes/models.js';
import { adminRoute } from './admin/admin-routes.js';
import { organizationRoute } from './routes/organization.js';
import { organizationUsageRoute } from './routes/organization-usage.js';
import { postEstimate } from './routes/estimate.js';
import { redemptionRoute } from './routes/redemption-routes.js';
import { dashboardRoute } from './dashboard/dashboard-route.js';
import { paymentRoute } from './routes/payments.js';
import { filesBatchesRoute, isFilesBatchesPath } from './routes/files-batches.js';

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>;

const METERED: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/responses': 'responses',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
};

export function route(method: string, path: string): Handler {
  const endpoint = METERED[path];
  if (endpoint) {
    if (method !== 'POST') throw new MethodNotAllowedError(method, path);
    return (req, res, ctx, deps) => handleMetered(endpoint, req, res, ctx, deps);
  }
  if (path === '/v1/models') {
    if (method !== 'GET') throw new MethodNotAllowedError(method, path);
    return listModels;
  }
  if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) {
    if (method !== 'GET') throw new MethodNotAllowedError(method, path);
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/v1/models/'.length));
    } catch {
      throw new RouteNotFoundError(method, path); // malformed percent-encoding: not a URL we serve
    }
    return (req, res, ctx, deps) => getModel(req, res, ctx, deps, id);
  }
  if (path === '/v1/tollgate/estimate') {
    if (method !== 'POST') throw new MethodNotAllowedError(method, path);
    return postEstimate;
  }
  if (path.startsWith('/v1/tollgate/')) {
    const redemption = redemptionRoute(method, path);
    if (redemption) return redemption;
    const payment = paymentRoute(method, path);
    if (payment) return payment;
  }
  if (isFilesBatchesPath(path)) return filesBatchesRoute(method, path);
  if (path.startsWith('/v1/organization/') || path.startsWith('/v1/tollgate/')) {
    const org = organizationUsageRoute(method, path) ?? organizationRoute(method, path);
    if (org) return org;
  }
  if (path.startsWith('/admin/')) {
    const admin = adminRoute(method, path);
    if (admin) return (req, res, _ctx, deps) => admin(req, res, deps);
  }
  if (path === '/dashboard' || path.startsWith('/dashboard/')) return dashboardRoute(method, path);
  if (path === '/health' || path === '/healthz') {
    return (_req, res, _ctx, deps) => health(res, deps);
  }
  throw new RouteNotFoundError(method, path);
}
