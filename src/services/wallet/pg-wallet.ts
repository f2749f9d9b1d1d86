// Wallet for replicas sharing one PostgreSQL database. The database is the source of truth: a hold is a conditional
// posting that cannot take the available balance below zero (tollgate_hold_batch), made before the upstream call.
// Holds and settlements from one turn of the event loop go in one round trip / one transaction, so a hot account
// costs the database a few statements per batch, not per request. Settlements retry until durable; replays are no-ops.
// Replicas heartbeat; the open holds of a replica that stopped heartbeating are released by the others.
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceUnavailableError } from '../../http/errors.js';
import type { Logger } from '../../observability/logger.js';
import { metrics } from '../../observability/metrics.js';
import type { BalanceView, OpenHold, UsageRecord } from '../../store/records.js';
import type { PgStore } from '../../store/postgres/pg-store.js';
import { toOpenHold } from '../../store/rows.js';
import { holdBatch, settleBatch, type PgHoldItem, type PgHoldOutcome, type PgSettleItem, type PgSettleOutcome } from '../../store/postgres/pg-wallet-sql.js';
import type { HoldRequest, HoldResult, RecoveryReport, SettleRequest, SettleResult, Wallet } from './wallet.js';

export interface PgWalletOptions {
  replicaId: string;
  /** A replica whose heartbeat is older than this is presumed dead and its open holds are released. */
  replicaTimeoutMs: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

const MAX_BACKOFF_MS = 2_000;

export class PgWallet implements Wallet {
  private holdQueue: Array<Pending<PgHoldItem, PgHoldOutcome>> = [];
  private settleQueue: Array<Pending<PgSettleItem, PgSettleOutcome>> = [];
  private unheld: UsageRecord[] = [];
  private holdScheduled = false;
  private settleRunning = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: PgStore, private readonly now: () => number, private readonly logger: Logger,
    private readonly opts: PgWalletOptions,
  ) {}

  get replicaId(): string {
    return this.opts.replicaId;
  }

  async hold(req: HoldRequest): Promise<HoldResult> {
    const outcome = await new Promise<PgHoldOutcome>((resolve, reject) => {
      this.holdQueue.push({ item: { requestId: req.requestId, accountId: req.accountId, amount: req.amount, meta: req.meta }, resolve, reject });
      if (!this.holdScheduled) {
        this.holdScheduled = true;
        setImmediate(() => void this.flushHolds());
      }
    });
    if (!outcome.held) {
      const available = outcome.available > 0n ? outcome.available : 0n;
      return outcome.budget ? { ok: false, available, budget: outcome.budget } : { ok: false, available };
    }
    this.inFlight.add(req.requestId);
    return { ok: true };
  }

  private async flushHolds(): Promise<void> {
    this.holdScheduled = false;
    const batch = this.holdQueue;
    this.holdQueue = [];
    if (batch.length === 0) return;
    try {
      const outcomes = await holdBatch(this.store.pool, batch.map((p) => p.item), this.opts.replicaId, this.now());
      for (const p of batch) {
        const o = outcomes.get(p.item.requestId);
        if (o) p.resolve(o);
        else p.reject(new ServiceUnavailableError('The billing store did not answer for this request. No credit was charged.'));
      }
    } catch (err) {
      metrics.storeFailures.inc();
      this.logger.error('hold batch failed', { error: (err as Error).message, holds: batch.length });
      // Unknown whether the batch committed: holds that did will be released by recovery (they belong to this replica).
      const unavailable = new ServiceUnavailableError('The billing store is unavailable right now. No credit was charged; please retry.');
      for (const p of batch) p.reject(unavailable);
      this.scheduleOwnRecovery();
    }
  }

  settle(req: SettleRequest): Promise<SettleResult> {
    return new Promise<PgSettleOutcome>((resolve, reject) => {
      this.settleQueue.push({ item: { requestId: req.requestId, accountId: req.accountId, cost: req.cost, usage: req.usage }, resolve, reject });
      void this.runSettlements();
    }).then((o) => {
      this.inFlight.delete(req.requestId);
      return { captured: o.captured, uncollected: o.uncollected };
    });
  }

  recordUnheld(usage: UsageRecord): void {
    this.unheld.push(usage);
    void this.runSettlements();
  }

  /** One settlement batch in flight at a time; what arrives meanwhile forms the next batch. Failures retry with backoff. */
  private async runSettlements(): Promise<void> {
    if (this.settleRunning) return;
    this.settleRunning = true;
    let backoff = 50;
    try {
      await new Promise((r) => setImmediate(r));
      while (this.settleQueue.length > 0 || this.unheld.length > 0) {
        const batch = this.settleQueue;
        const unheld = this.unheld;
        this.settleQueue = [];
        this.unheld = [];
        try {
          const outcomes = await settleBatch(this.store.pool, batch.map((p) => p.item), unheld, this.now());
          for (const p of batch) p.resolve(outcomes.get(p.item.requestId) ?? { captured: 0n, uncollected: 0n, applied: false });
          backoff = 50;
        } catch (err) {
          metrics.storeFailures.inc();
          this.logger.error('settlement batch failed; retrying', { error: (err as Error).message, settlements: batch.length });
          this.settleQueue = batch.concat(this.settleQueue);
          this.unheld = unheld.concat(this.unheld);
          if (this.closed && backoff > MAX_BACKOFF_MS) {
            for (const p of this.settleQueue) p.reject(err);
            this.settleQueue = [];
            return;
          }
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS * 2);
        }
      }
    } finally {
      this.settleRunning = false;
    }
  }

  async balance(accountId: string): Promise<BalanceView> {
    return this.store.balance(accountId, this.now());
  }

  invalidate(): void {
    // Nothing to forget: balances are read from the database on every hold.
  }

  /** Registers this replica, releases holds a previous life of it left open, and starts heartbeats and sweeps. */
  async start(): Promise<RecoveryReport> {
    await this.heartbeat();
    const report = await this.recoverHolds(`replica_id = $1`, [this.opts.replicaId]);
    const every = Math.max(200, Math.floor(this.opts.replicaTimeoutMs / 5));
    this.timer = setInterval(() => {
      this.heartbeat()
        .then(() => this.recover())
        .catch((err: Error) => this.logger.warn('replica heartbeat failed', { error: err.message }));
    }, every);
    this.timer.unref();
    return report;
  }

  /** Releases the open holds of replicas that stopped heartbeating. */
  async recover(): Promise<RecoveryReport> {
    const cutoff = this.now() - this.opts.replicaTimeoutMs;
    return this.recoverHolds(`replica_id <> $1 AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = holds.replica_id AND r.heartbeat_at > $2)`,
      [this.opts.replicaId, cutoff]);
  }

  private ownRecoveryScheduled = false;

  private scheduleOwnRecovery(): void {
    if (this.ownRecoveryScheduled || this.closed) return;
    this.ownRecoveryScheduled = true;
    // Holds of this replica whose request already failed (the batch's answer was lost), never ones still in flight.
    const inFlightBefore = this.now();
    setTimeout(() => {
      this.ownRecoveryScheduled = false;
      this.recoverHolds('replica_id = $1 AND created_at <= $2', [this.opts.replicaId, inFlightBefore], this.inFlight)
        .catch(() => this.scheduleOwnRecovery());
    }, 1_000).unref();
  }

  private readonly inFlight = new Set<string>();

  private async recoverHolds(where: string, params: unknown[], skip: Set<string> = new Set()): Promise<RecoveryReport> {
    const { rows } = await this.store.pool.query(`SELECT * FROM holds WHERE closed_at IS NULL AND ${where} ORDER BY created_at`, params);
    const open: OpenHold[] = (rows as Array<Record<string, unknown>>).map(toOpenHold).filter((h) => !skip.has(h.requestId));
    if (open.length === 0) return { released: 0, releasedAmount: 0n };
    const now = this.now();
    const items: PgSettleItem[] = open.map((h) => ({
      requestId: h.requestId, accountId: h.accountId, cost: 0n,
      usage: {
        requestId: h.requestId, accountId: h.accountId, projectId: h.projectId, keyId: h.keyId, model: h.model, endpoint: h.endpoint,
        inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, cost: 0n, uncollected: 0n, hold: h.amount,
        priceEffectiveFrom: null, cacheHit: false, status: 'interrupted', httpStatus: 0, stream: h.stream, aborted: true,
        latencyMs: Math.max(0, now - h.createdAt), createdAt: now,
      },
    }));
    const outcomes = await settleBatch(this.store.pool, items, [], now);
    let released = 0;
    let releasedAmount = 0n;
    for (const h of open) {
      if (outcomes.get(h.requestId)?.applied) {
        released++;
        releasedAmount += h.amount;
      }
    }
    if (released > 0) this.logger.warn('released holds left open by a stopped replica', { holds: released });
    return { released, releasedAmount };
  }

  private async heartbeat(): Promise<void> {
    const now = this.now();
    await this.store.pool.query(`INSERT INTO replicas (id, heartbeat_at, started_at) VALUES ($1, $2, $2)
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`, [this.opts.replicaId, now]);
  }

  async expire(): Promise<number> {
    return this.store.expireGrants(this.now());
  }

  async flush(): Promise<void> {
    while (this.settleRunning || this.settleQueue.length > 0 || this.unheld.length > 0 || this.holdScheduled) {
      if (!this.settleRunning && (this.settleQueue.length > 0 || this.unheld.length > 0)) void this.runSettlements();
      await sleep(2);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    await this.store.pool.query('DELETE FROM replicas WHERE id = $1', [this.opts.replicaId]).catch(() => {});
  }
}
