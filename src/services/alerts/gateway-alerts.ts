// Wires alerts into the gateway: the facts rules read (from the wallet and the store), the evaluator (off the hot
// path, at most once a second per account, plus a periodic sweep for conditions that change with time alone), and
// the delivery worker with its webhook and email senders.
import type { Config } from '../../config/config.js';
import { periodKey } from '../../domain/budgets/period.js';
import type { DaySpend } from '../../domain/alerts/facts.js';
import type { Logger } from '../../observability/logger.js';
import { PgAlertStore } from '../../store/postgres/alerts-store.js';
import { PgStore } from '../../store/postgres/pg-store.js';
import { SqliteAlertStore } from '../../store/sqlite/alerts-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import type { Wallet } from '../wallet/wallet.js';
import { forecastFor } from '../forecast/forecast-service.js';
import type { AlertStore } from './alert-store.js';
import { DeliveryWorker } from './delivery-worker.js';
import { EmailSender } from './email-sender.js';
import { AlertEvaluator, type AlertFacts } from './evaluator.js';
import { WebhookSender } from './webhook-sender.js';

const DAY_MS = 86_400_000;
const SWEEP_MS = 10 * 60_000;

export interface GatewayAlerts {
  store: AlertStore;
  evaluator: AlertEvaluator;
  worker: DeliveryWorker;
  /** Asks for an evaluation of the account's rules soon (coalesced; never throws). */
  schedule(accountId: string): void;
  close(): Promise<void>;
}

export function startAlerts(
  store: Store, wallet: Wallet, config: Config, now: () => number, logger: Logger,
): GatewayAlerts {
  const alertStore = alertStoreFor(store);
  const facts = gatewayFacts(store, wallet, now);
  const email = config.smtpUrl && config.alertFrom ? new EmailSender({ smtpUrl: config.smtpUrl, from: config.alertFrom }) : undefined;
  const worker = new DeliveryWorker({
    store: alertStore, senders: { webhook: new WebhookSender(), ...(email ? { email } : {}) }, now, logger,
  });
  const evaluator = new AlertEvaluator({ store: alertStore, facts, now, logger, onDeliveries: () => worker.wake() });
  worker.start();
  const sweep = setInterval(() => {
    alertStore.listRules().then((rules) => {
      for (const accountId of new Set(rules.filter((r) => r.enabled).map((r) => r.accountId))) evaluator.schedule(accountId);
    }).catch((err: Error) => logger.warn('alert sweep failed', { error: err.message }));
  }, SWEEP_MS);
  sweep.unref();
  return {
    store: alertStore,
    evaluator,
    worker,
    schedule: (accountId) => evaluator.schedule(accountId),
    async close() {
      clearInterval(sweep);
      await evaluator.close();
      await worker.stop();
      await email?.close();
    },
  };
}

function alertStoreFor(store: Store): AlertStore {
  if (store instanceof SqliteStore) return new SqliteAlertStore(store.db);
  if (store instanceof PgStore) return new PgAlertStore(store.pool);
  throw new Error(`no alert store for ${store.kind}`);
}

/** The facts rules are evaluated against, read fresh at each evaluation. */
export function gatewayFacts(store: Store, wallet: Wallet, now: () => number): AlertFacts {
  return {
    balance: async (accountId) => ({ available: (await wallet.balance(accountId)).available }),
    budgetStatus: async (accountId) => (await store.budgetStatus(accountId, now())).map((s) => ({
      budgetId: s.budget.id, periodStart: s.periodKey, limit: s.budget.limit, spent: s.spent, thresholds: s.budget.thresholds,
    })),
    grants: (accountId) => store.listGrants(accountId),
    dailySpend: async (accountId, days) => {
      const today = Math.floor(now() / DAY_MS);
      const byDay = await store.spendByDay(accountId, (today - days + 1) * DAY_MS);
      const out: DaySpend[] = [];
      for (let d = today - days + 1; d <= today; d++) {
        out.push({ day: new Date(d * DAY_MS).toISOString().slice(0, 10), spent: byDay.get(d) ?? 0n });
      }
      return out;
    },
    monthSpend: async (accountId) => {
      const t = now();
      const month = periodKey('month', 'UTC', t);
      const start = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1);
      let spent = 0n;
      for (const v of (await store.spendByDay(accountId, start)).values()) spent += v;
      return { month, spent };
    },
    runOut: async (accountId) => {
      const f = await forecastFor(store, accountId, now(), await wallet.balance(accountId));
      if (!f) throw new Error(`no account ${accountId}`);
      return { runsOutAt: f.runsOutAt, burnRatePerDay: f.burnRatePerDay, available: f.available };
    },
  };
}
