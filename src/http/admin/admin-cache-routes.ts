// Admin API for the response cache: an account's cache settings per scope (GET lists them; PUT sets one).
// PUT body: {"project_id"?: ID, "api_key_id"?: ID, "enabled": true, "ttl_seconds": N} or {"enabled": false}.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cacheSettingView, setCacheSetting } from '../../services/cache/cache-settings-service.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import { InvalidRequestError, NotFoundError, ServiceUnavailableError } from '../errors.js';
import { int, readJsonObject, str } from '../json-body.js';
import { sendJson } from '../respond.js';

type Params = Record<string, string>;
type AdminHandler = (req: IncomingMessage, res: ServerResponse, p: Params, deps: GatewayDeps, url: URL) => Promise<void>;

function cacheOf(deps: GatewayDeps) {
  if (!deps.cache) throw new ServiceUnavailableError('The response cache is not configured on this gateway.');
  return deps.cache;
}

export const adminCacheRoutes: Array<[string, string, AdminHandler]> = [
  ['GET', '/admin/v1/accounts/:id/cache', async (_req, res, p, deps) => {
    if (!(await deps.store.getAccount(p.id!))) throw new NotFoundError(`No account ${p.id}.`);
    const rows = await cacheOf(deps).settingsStore.list(p.id!);
    sendJson(res, 200, { object: 'list', data: rows.map(cacheSettingView) });
  }],
  ['PUT', '/admin/v1/accounts/:id/cache', async (req, res, p, deps) => {
    const cache = cacheOf(deps);
    const body = await readJsonObject(req);
    if (typeof body.enabled !== 'boolean') throw new InvalidRequestError("'enabled' must be true or false.", 'enabled');
    const setting = await setCacheSetting(deps.store, cache.settingsStore, {
      accountId: p.id!, projectId: str(body, 'project_id'), keyId: str(body, 'api_key_id'),
      enabled: body.enabled, ttlSeconds: body.enabled ? int(body, 'ttl_seconds', { min: 1, required: true }) : undefined,
    }, deps.now());
    // This process applies it at once (its own SQLite commit does not change data_version for itself).
    await cache.reload();
    sendJson(res, 200, cacheSettingView(setting));
  }],
];
