// POST /v1/tollgate/estimate: what a request body would cost, authenticated with the project key that would send
// it (so the key's policies apply). Holds, charges and records nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { estimate, endpointOf, estimateView } from '../../services/estimate.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import type { RequestContext } from '../../services/usage-record.js';
import { InvalidJsonError } from '../errors.js';
import { parseJsonObject, readBody } from '../read-body.js';
import { sendJson } from '../respond.js';

export async function postEstimate(req: IncomingMessage, res: ServerResponse, _ctx: RequestContext, deps: GatewayDeps): Promise<void> {
  await deps.watcher.check();
  const who = await deps.keys.projectKey(req.headers);
  const body = parseJsonObject(await readBody(req, deps.config.maxBodyBytes));
  if (!body) throw new InvalidJsonError();
  const endpoint = endpointOf(body, new URL(req.url ?? '/', 'http://localhost').searchParams.get('endpoint') ?? undefined);
  // The typical output length reads the account's usage records: write the pending ones first.
  await deps.wallet.flush();
  const result = await estimate(endpoint, {
    body, prices: deps.prices, policy: await deps.policies.effective(who), policies: deps.policies.store,
    accountId: who.account.id, defaultMaxOutput: deps.config.defaultMaxOutputTokens, now: deps.now(),
  });
  sendJson(res, 200, estimateView(result));
}
