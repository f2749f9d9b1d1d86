// Tells an account that an auto-recharge charge failed, through the alert delivery machinery: one delivery per
// channel of the account's enabled alert rules (signed webhook or email, with the usual retries and delivery log),
// deduplicated per failed episode. An account without alert rules sees the failure in its recharge status only.
import { channelKey } from '../../domain/alerts/rule.js';
import type { Logger } from '../../observability/logger.js';
import type { GatewayAlerts } from '../alerts/gateway-alerts.js';

export interface RechargeFailure {
  accountId: string;
  episode: number;
  code: string;
  message: string;
  consecutiveFailures: number;
  disabled: boolean;
  at: number;
}

export async function alertRechargeFailure(alerts: GatewayAlerts, f: RechargeFailure, logger: Logger): Promise<number> {
  const rules = (await alerts.store.listRules(f.accountId)).filter((r) => r.enabled && r.channels.length > 0);
  const dedupeKey = `auto_recharge_failed:${f.episode}`;
  let created = 0;
  for (const rule of rules) {
    const payload = JSON.stringify({
      id: `evt_recharge_${f.accountId}_${f.episode}`, object: 'alert.event', type: 'auto_recharge_failed', created: Math.floor(f.at / 1000),
      account_id: f.accountId, rule_id: rule.id, dedupe_key: dedupeKey,
      summary: `Auto-recharge failed (${f.code}): ${f.message}${f.disabled ? ' Auto-recharge is now turned off.' : ''}`,
      data: { code: f.code, message: f.message, consecutive_failures: f.consecutiveFailures, disabled: f.disabled },
    });
    for (const channel of rule.channels) {
      const res = await alerts.store.createDelivery({
        accountId: f.accountId, ruleId: rule.id, kind: rule.kind, eventId: `evt_recharge_${f.accountId}_${f.episode}`, dedupeKey,
        channelKey: channelKey(channel), channelType: channel.type, payload, now: f.at,
      });
      if (res.created) created++;
    }
  }
  if (created > 0) alerts.worker.wake();
  else logger.warn('auto-recharge failure: the account has no alert channel to tell', { account_id: f.accountId, code: f.code });
  return created;
}
