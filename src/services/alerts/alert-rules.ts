// Managing alert rules from the outside (admin API, CLI, the account's own endpoints): wire in, wire out.
import { AlertRuleError, channelsToWire, definitionToWire, parseChannels, parseDefinition } from '../../domain/alerts/rule-wire.js';
import { InvalidRequestError, NotFoundError } from '../../http/errors.js';
import type { AlertRuleRecord, AlertStore, DeliveryWithAttempts } from './alert-store.js';
import { newWebhookSecret } from './signature.js';

export async function createRuleFromWire(
  store: AlertStore, accountId: string, body: Record<string, unknown>, now: number,
): Promise<{ rule: AlertRuleRecord; secretsShown: boolean }> {
  try {
    const definition = parseDefinition(body.kind, body.params ?? {});
    const channels = parseChannels(body.channels ?? [], { newSecret: newWebhookSecret });
    if (channels.length === 0) throw new AlertRuleError('channels: give at least one webhook or email channel');
    const rule = await store.createRule({ ...definition, accountId, channels, enabled: body.enabled !== false }, now);
    return { rule, secretsShown: true };
  } catch (err) {
    if (err instanceof AlertRuleError) throw new InvalidRequestError(`Invalid alert rule: ${err.message}`);
    throw err;
  }
}

export async function ruleOfAccount(store: AlertStore, accountId: string, ruleId: string): Promise<AlertRuleRecord> {
  const rule = await store.getRule(ruleId);
  if (!rule || rule.accountId !== accountId) throw new NotFoundError(`No alert rule ${ruleId} in this account.`);
  return rule;
}

/** Webhook secrets are shown once, when the rule is created. */
export function ruleView(rule: AlertRuleRecord, opts: { revealSecrets: boolean }) {
  const wire = definitionToWire(rule);
  return {
    id: rule.id, object: 'alert_rule', account_id: rule.accountId, kind: wire.kind, params: wire.params,
    channels: channelsToWire(rule.channels, opts), enabled: rule.enabled,
    created_at: new Date(rule.createdAt).toISOString(),
  };
}

export function deliveryView(d: DeliveryWithAttempts) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    id: d.id, object: 'alert_delivery', account_id: d.accountId, rule_id: d.ruleId, kind: d.kind, event_id: d.eventId,
    channel: d.channelKey, status: d.status, attempts: d.attempts, next_attempt_at: iso(d.nextAttemptAt),
    last_status_code: d.lastStatusCode, last_error: d.lastError, created_at: iso(d.createdAt), delivered_at: iso(d.deliveredAt),
    attempt_log: d.attemptLog.map((a) => ({
      attempt: a.attempt, at: iso(a.at), ok: a.ok, status_code: a.statusCode, error: a.error, duration_ms: a.durationMs,
    })),
  };
}
