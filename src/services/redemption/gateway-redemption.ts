// Wires redemption into a running gateway: the adapter for its store and one throttle per gateway (in process,
// or in Redis when deps.redis is set), made on first use and kept for the gateway's life.
import { PgStore } from '../../store/postgres/pg-store.js';
import { PgRedemptionStore } from '../../store/postgres/redemption-store.js';
import { SqliteRedemptionStore } from '../../store/sqlite/redemption-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { RedeemThrottle } from './redeem-throttle.js';
import type { RedemptionStore } from './redemption-store.js';
import { completePending } from './redemption-service.js';

export interface GatewayRedemption {
  codes: RedemptionStore;
  throttle: RedeemThrottle;
}

const byGateway = new WeakMap<GatewayDeps, GatewayRedemption>();

export function redemptionStoreFor(store: Store): RedemptionStore {
  if (store instanceof SqliteStore) return new SqliteRedemptionStore(store.db);
  if (store instanceof PgStore) return new PgRedemptionStore(store.pool);
  throw new Error(`no redemption store for ${store.kind}`);
}

export function redemptionFor(deps: GatewayDeps): GatewayRedemption {
  let found = byGateway.get(deps);
  if (!found) {
    found = { codes: redemptionStoreFor(deps.store), throttle: new RedeemThrottle(deps.redis) };
    byGateway.set(deps, found);
  }
  return found;
}

/** At start: grants that a crash left between a code's claim and its grant are made now (exactly once). */
export async function resumeRedemptions(deps: GatewayDeps): Promise<void> {
  const done = await completePending({ store: deps.store, codes: redemptionFor(deps).codes }, deps.now());
  if (done > 0) deps.logger.warn('completed redemptions interrupted by an earlier stop', { codes: done });
}
