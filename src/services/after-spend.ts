// What follows a capture, wherever credit was spent (a metered call, a priced cache hit, a settled batch): the alert
// rules and auto-recharge look at the account soon. Both are coalesced and off the hot path; neither throws.
import type { GatewayDeps } from './gateway-deps.js';

export function afterSpend(deps: Pick<GatewayDeps, 'alerts' | 'payments'>, accountId: string): void {
  deps.alerts.schedule(accountId);
  deps.payments.schedule(accountId);
}
