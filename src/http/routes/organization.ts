// The account's own management endpoints in OpenAI's shape, authenticated with an account admin key
// (tollgate keys create --admin): project rate limits and spend alerts. Tools written for OpenAI's admin API work.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseChannels, AlertRuleError } from '../../domain/alerts/rule-wire.js';
import type { AlertChannel } from '../../domain/alerts/rule.js';
import { limitsFor } from '../../domain/rate-limits/tiers.js';
import type { AlertRuleRecord } from '../../services/alerts/alert-store.js';
import { deliveryView } from '../../services/alerts/alert-rules.js';
import type { GatewayDeps } from '../../services/gateway-deps.js';
import type { RequestContext } from '../../services/usage-record.js';
import type { KeyLookup } from '../../store/store.js';
import { InvalidRequestError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import { int, readJsonObject } from '../json-body.js';
import { matchPath } from '../path-match.js';
import { sendJson } from '../respond.js';
import { accountInsightRoutes } from './insights.js';

type Params = Record<string, string>;
type Handler = (req: IncomingMessage, res: ServerResponse, p: Params, who: KeyLookup, deps: GatewayDeps) => Promise<void>;

/** OpenAI states spend alert thresholds in US cents; 1 cent = 10^10 pico-credits, exactly. */
const PICO_PER_CENT = 10_000_000_000n;

const routes: Array<[string, string, Handler]> = [
  ['GET', '/v1/organization/projects/:project/rate_limits', async (_req, res, p, who, deps) => {
    await mustProject(deps, who, p.project!);
    const tier = await deps.limits.tierOf(who.account.id, who.account.tier, deps.now());
    const definition = deps.limits.ladder.tiers.find((t) => t.name === tier)!;
    const overrides = await deps.store.listRateLimitOverrides(p.project!);
    const byFamily = Object.fromEntries(overrides.map((o) => [o.family, { rpm: o.rpm, tpm: o.tpm, rpd: o.rpd }]));
    const data = Object.keys(definition.limits.models).sort().map((family) => rateLimitView(family, limitsFor(tier, family, deps.limits.ladder, byFamily)));
    sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
  }],
  ['POST', '/v1/organization/projects/:project/rate_limits/:limit', async (req, res, p, who, deps) => {
    await mustProject(deps, who, p.project!);
    const family = p.limit!.replace(/^rl-/, '');
    const tier = await deps.limits.tierOf(who.account.id, who.account.tier, deps.now());
    const definition = deps.limits.ladder.tiers.find((t) => t.name === tier)!;
    if (!definition.limits.models[family]) throw new NotFoundError(`No rate limit ${p.limit} for this project.`);
    const body = await readJsonObject(req);
    const existing = (await deps.store.listRateLimitOverrides(p.project!)).find((o) => o.family === family);
    const pick = (field: string, old: number | null | undefined) => int(body, field, { min: 1 }) ?? old ?? null;
    await deps.store.setRateLimitOverride(p.project!, {
      family,
      rpm: pick('max_requests_per_1_minute', existing?.rpm),
      tpm: pick('max_tokens_per_1_minute', existing?.tpm),
      rpd: pick('max_requests_per_1_day', existing?.rpd),
    }, deps.now());
    deps.limits.invalidate();
    const overrides = Object.fromEntries((await deps.store.listRateLimitOverrides(p.project!)).map((o) => [o.family, { rpm: o.rpm, tpm: o.tpm, rpd: o.rpd }]));
    sendJson(res, 200, rateLimitView(family, limitsFor(tier, family, deps.limits.ladder, overrides)));
  }],
  ['GET', '/v1/organization/spend_alerts', async (_req, res, _p, who, deps) => {
    const data = (await spendAlerts(deps, who)).map(spendAlertView);
    sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
  }],
  ['POST', '/v1/organization/spend_alerts', async (req, res, _p, who, deps) => {
    const body = await readJsonObject(req);
    const rule = await deps.alerts.store.createRule({
      kind: 'spend_threshold', params: { threshold: thresholdOf(body, true)! }, accountId: who.account.id,
      channels: channelOf(body, true)!, enabled: true,
    }, deps.now());
    deps.alerts.schedule(who.account.id);
    sendJson(res, 200, spendAlertView(rule));
  }],
  ['GET', '/v1/organization/spend_alerts/:alert', async (_req, res, p, who, deps) => {
    sendJson(res, 200, spendAlertView(await mustSpendAlert(deps, who, p.alert!)));
  }],
  ['POST', '/v1/organization/spend_alerts/:alert', async (req, res, p, who, deps) => {
    const rule = await mustSpendAlert(deps, who, p.alert!);
    const body = await readJsonObject(req);
    const threshold = thresholdOf(body, false);
    const channels = channelOf(body, false);
    const updated = await deps.alerts.store.updateRule(rule.id, {
      ...(threshold !== undefined ? { definition: { kind: 'spend_threshold', params: { threshold } } } : {}),
      ...(channels ? { channels } : {}),
    }, deps.now());
    sendJson(res, 200, spendAlertView(updated ?? rule));
  }],
  ['DELETE', '/v1/organization/spend_alerts/:alert', async (_req, res, p, who, deps) => {
    await mustSpendAlert(deps, who, p.alert!);
    await deps.alerts.store.deleteRule(p.alert!);
    sendJson(res, 200, { id: p.alert, object: 'organization.spend_alert.deleted', deleted: true });
  }],
  // Not an OpenAI endpoint (OpenAI has none for this): the account reads its own alert delivery log.
  ['GET', '/v1/tollgate/alert_deliveries', async (req, res, _p, who, deps) => {
    const limit = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('limit') ?? 50);
    const list = await deps.alerts.store.listDeliveries({
      accountId: who.account.id, limit: Number.isSafeInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50,
    });
    sendJson(res, 200, { object: 'list', data: list.map(deliveryView) });
  }],
];

export function organizationRoute(method: string, path: string):
  ((req: IncomingMessage, res: ServerResponse, ctx: RequestContext, deps: GatewayDeps) => Promise<void>) | undefined {
  let pathMatched = false;
  for (const [m, pattern, handler] of [...routes, ...accountInsightRoutes]) {
    const params = matchPath(pattern, path);
    if (!params) continue;
    pathMatched = true;
    if (m !== method) continue;
    return async (req, res, _ctx, deps) => {
      await deps.watcher.check();
      const who = await deps.keys.adminKey(req.headers);
      await handler(req, res, params, who, deps);
    };
  }
  return pathMatched ? async () => { throw new MethodNotAllowedError(method, path); } : undefined;
}

async function mustProject(deps: GatewayDeps, who: KeyLookup, projectId: string): Promise<void> {
  const project = await deps.store.getProject(projectId);
  if (!project || project.accountId !== who.account.id) throw new NotFoundError(`The project ${projectId} was not found`);
}

/** The limits the project is under for a family: its own override where it set one, else the tier's. */
function rateLimitView(family: string, limits: ReturnType<typeof limitsFor>) {
  const rpm = limits.project?.rpm ?? limits.account.rpm;
  const tpm = limits.project?.tpm ?? limits.account.tpm;
  const rpd = limits.project?.rpd ?? limits.account.rpd;
  return {
    object: 'project.rate_limit', id: `rl-${family}`, model: family,
    max_requests_per_1_minute: rpm, max_tokens_per_1_minute: tpm, ...(rpd !== null ? { max_requests_per_1_day: rpd } : {}),
  };
}

async function spendAlerts(deps: GatewayDeps, who: KeyLookup): Promise<AlertRuleRecord[]> {
  return (await deps.alerts.store.listRules(who.account.id)).filter((r) => r.kind === 'spend_threshold');
}

async function mustSpendAlert(deps: GatewayDeps, who: KeyLookup, id: string): Promise<AlertRuleRecord> {
  const rule = await deps.alerts.store.getRule(id);
  if (!rule || rule.accountId !== who.account.id || rule.kind !== 'spend_threshold') throw new NotFoundError(`No spend alert ${id}.`);
  return rule;
}

function thresholdOf(body: Record<string, unknown>, required: boolean): bigint | undefined {
  const cents = int(body, 'threshold_amount', { min: 1, ...(required ? { required } : {}) });
  if (body.currency !== undefined && body.currency !== 'USD') throw new InvalidRequestError("Invalid 'currency': only USD.", 'currency');
  if (body.interval !== undefined && body.interval !== 'month') throw new InvalidRequestError("Invalid 'interval': only month.", 'interval');
  return cents === undefined ? undefined : BigInt(cents) * PICO_PER_CENT;
}

function channelOf(body: Record<string, unknown>, required: boolean): AlertChannel[] | undefined {
  const channel = body.notification_channel;
  if (channel === undefined || channel === null) {
    if (required) throw new InvalidRequestError("Missing required parameter: 'notification_channel'.", 'notification_channel');
    return undefined;
  }
  try {
    return parseChannels([channel]);
  } catch (err) {
    if (err instanceof AlertRuleError) throw new InvalidRequestError(`Invalid 'notification_channel': ${err.message}`, 'notification_channel');
    throw err;
  }
}

function spendAlertView(rule: AlertRuleRecord) {
  const threshold = rule.kind === 'spend_threshold' ? rule.params.threshold : 0n;
  const channel = rule.channels[0];
  return {
    id: rule.id, object: 'organization.spend_alert', threshold_amount: Number(threshold / PICO_PER_CENT), currency: 'USD', interval: 'month',
    notification_channel: channel?.type === 'email'
      ? { type: 'email', recipients: channel.recipients, subject_prefix: channel.subjectPrefix }
      : { type: channel?.type ?? 'email', recipients: [] },
  };
}
