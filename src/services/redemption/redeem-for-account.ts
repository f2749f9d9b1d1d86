// One redemption as every caller runs it (the account API and the dashboard): throttle admission, the claim and
// grant, giving back the throttle unit unless the attempt was a guess, then the wallet and alerts see the grant.
import type { Pico } from '../../domain/money/pico.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { redemptionFor } from './gateway-redemption.js';
import { CodeExpiredError, InvalidCodeError } from './redemption-errors.js';
import { redeemCode, type Redemption } from './redemption-service.js';

export async function redeemForAccount(
  deps: GatewayDeps, accountId: string, clientIp: string, code: string,
): Promise<{ redemption: Redemption; available: Pico }> {
  const { codes, throttle } = redemptionFor(deps);
  const ticket = await throttle.admit(accountId, clientIp, deps.now());
  let redemption: Redemption;
  try {
    redemption = await redeemCode({ store: deps.store, codes }, accountId, code, deps.now());
  } catch (err) {
    // A wrong or expired code counts as a guess; anything else (own used code, batch limit, an outage) does not.
    if (!(err instanceof InvalidCodeError || err instanceof CodeExpiredError)) await throttle.forgive(ticket, deps.now());
    throw err;
  }
  await throttle.forgive(ticket, deps.now());
  await deps.watcher.check(); // the serving wallet sees the new grant before its next decision
  deps.alerts.schedule(accountId);
  return { redemption, available: (await deps.wallet.balance(accountId)).available };
}
