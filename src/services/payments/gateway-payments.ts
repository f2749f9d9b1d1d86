// Wires payments into the gateway: the payment store for the store in use, the provider (Stripe when configured),
// the purchase service, and auto-recharge (checked after settlements and by a sweep every minute).
import type { Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';
import { PgPaymentStore } from '../../store/postgres/payments-store.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqlitePaymentStore } from '../../store/sqlite/payments-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { GatewayAlerts } from '../alerts/gateway-alerts.js';
import type { ChangeWatcher } from '../change-watcher.js';
import { MemoryWallet } from '../wallet/memory-wallet.js';
import type { Wallet } from '../wallet/wallet.js';
import { AutoRecharge } from './auto-recharge.js';
import type { PaymentStore } from './payment-store.js';
import { Payments } from './payments.js';
import type { PaymentProvider } from './provider.js';
import { alertRechargeFailure } from './recharge-alert.js';
import { StripeProvider } from './stripe-provider.js';

const SWEEP_MS = 60_000;

export interface GatewayPayments {
  store: PaymentStore;
  service: Payments;
  recharge: AutoRecharge;
  /** After credit moved on an account: auto-recharge looks at it soon (coalesced, never throws). */
  schedule(accountId: string): void;
  close(): Promise<void>;
}

export function startPayments(
  store: Store, wallet: Wallet, config: Config, now: () => number, logger: Logger, alerts: GatewayAlerts,
  watcher?: ChangeWatcher,
): GatewayPayments {
  const paymentStore = paymentStoreFor(store, wallet);
  const provider = providerFor(config);
  let recharge: AutoRecharge | undefined;
  const service = new Payments({
    store, wallet, payments: paymentStore, provider, config: config.payments, now, logger,
    onCreditChange: (accountId) => {
      alerts.schedule(accountId);
      recharge?.schedule(accountId);
    },
    onOffSession: (o) => recharge!.offSession(o),
  });
  recharge = new AutoRecharge({
    payments: paymentStore, service, provider, wallet, config: config.payments, now, logger,
    alert: (f) => alertRechargeFailure(alerts, f, logger),
    ...(watcher ? { beforeRead: () => watcher.check() } : {}),
  });
  const sweep = setInterval(() => {
    recharge.sweep().catch((err: Error) => logger.warn('auto-recharge sweep failed', { error: err.message }));
  }, SWEEP_MS);
  sweep.unref();
  return {
    store: paymentStore, service, recharge,
    schedule: (accountId) => recharge.schedule(accountId),
    async close() {
      clearInterval(sweep);
      await recharge.idle();
    },
  };
}

export function paymentStoreFor(store: Store, wallet?: Wallet): PaymentStore {
  if (store instanceof SqliteStore) {
    return wallet instanceof MemoryWallet ? new SqlitePaymentStore(store.db, (fn) => wallet.exclusive(fn)) : new SqlitePaymentStore(store.db);
  }
  if (store instanceof PgStore) return new PgPaymentStore(store.pool);
  throw new Error(`no payment store for ${store.kind}`);
}

/** Stripe when its secret key and webhook secret are set; otherwise payments are off. */
export function providerFor(config: Config): PaymentProvider | undefined {
  const p = config.payments;
  if (!p.stripeSecretKey || !p.stripeWebhookSecret) return undefined;
  return new StripeProvider({
    secretKey: p.stripeSecretKey, webhookSecret: p.stripeWebhookSecret, apiBase: p.stripeApiBase, toleranceSeconds: p.webhookToleranceSeconds,
  });
}
