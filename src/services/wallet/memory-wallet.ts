// Wallet for a single gateway process on SQLite: balances and holds live in memory (one event loop makes every
// hold atomic), and every posting goes to the store through the group-commit journal. Settlements resolve only
// once their batch is committed, so a response is never sent for a charge that is not durable.
import { allocate, compareBurnOrder, spendable, type Lot } from '../../domain/ledger/lots.js';
import type { Pico } from '../../domain/money/pico.js';
import type { BalanceView, UsageRecord } from '../../store/records.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { HoldRequest, HoldResult, RecoveryReport, SettleRequest, SettleResult, Wallet } from './wallet.js';
import { Journal } from './journal.js';
import type { Logger } from '../../observability/logger.js';
import { appliesTo, budgetPeriodRef, fits, splitBudgetPeriodRef, type Budget } from '../../domain/budgets/budget.js';

interface AccountState {
  lots: Lot[];
  held: Pico;
  holds: Map<string, { amount: Pico; at: number; budgetRefs: string[] }>;
  budgets: Budget[];
  /** Per budget period ("budgetId@periodKey"): open holds, in memory only, kept across reloads. */
  budgetHeld: Map<string, Pico>;
  /** Per budget period: captured spend, read from the store once, then kept up to date here; dropped on reload. */
  budgetSpent: Map<string, Pico>;
  stale: boolean;
}

export class MemoryWallet implements Wallet {
  private readonly accounts = new Map<string, AccountState>();
  private readonly journal: Journal;

  constructor(private readonly store: SqliteStore, private readonly now: () => number, logger: Logger) {
    this.journal = new Journal(store, logger);
  }

  async hold(req: HoldRequest): Promise<HoldResult> {
    const state = this.state(req.accountId);
    const now = this.now();
    const available = spendable(state.lots, now) - state.held;
    if (req.amount > available) return { ok: false, available: available > 0n ? available : 0n };
    const budgetRefs: string[] = [];
    for (const budget of state.budgets) {
      if (!appliesTo(budget, { accountId: req.accountId, projectId: req.meta.projectId, keyId: req.meta.keyId })) continue;
      const ref = budgetPeriodRef(budget, now);
      const spent = this.budgetSpent(state, ref);
      if (!fits(budget.limit, spent, state.budgetHeld.get(ref) ?? 0n, req.amount)) {
        return { ok: false, available, budget: { budgetId: budget.id, spent, limit: budget.limit } };
      }
      budgetRefs.push(ref);
    }
    state.held += req.amount;
    for (const ref of budgetRefs) state.budgetHeld.set(ref, (state.budgetHeld.get(ref) ?? 0n) + req.amount);
    state.holds.set(req.requestId, { amount: req.amount, at: now, budgetRefs });
    this.journal.hold({ requestId: req.requestId, accountId: req.accountId, amount: req.amount, at: now, meta: req.meta, budgetRefs });
    return { ok: true };
  }

  async settle(req: SettleRequest): Promise<SettleResult> {
    const state = this.state(req.accountId);
    const hold = state.holds.get(req.requestId);
    if (!hold) throw new Error(`settle without an open hold: ${req.requestId}`);
    state.holds.delete(req.requestId);
    state.held -= hold.amount;
    const now = this.now();
    // Usage above the hold may only take credit that no other open hold has reserved.
    const free = spendable(state.lots, now) - state.held;
    const capturable = req.cost < free ? req.cost : free > 0n ? free : 0n;
    const { draws, short } = allocate(state.lots, capturable, now);
    for (const draw of draws) {
      const lot = state.lots.find((l) => l.id === draw.lotId);
      if (lot) lot.remaining -= draw.amount;
    }
    const captured = capturable - short;
    const uncollected = req.cost - captured;
    for (const ref of hold.budgetRefs) {
      state.budgetHeld.set(ref, (state.budgetHeld.get(ref) ?? 0n) - hold.amount);
      state.budgetSpent.set(ref, this.budgetSpent(state, ref) + captured);
    }
    const usage: UsageRecord = { ...req.usage, cost: req.cost, uncollected, hold: hold.amount };
    await this.journal.settle({
      requestId: req.requestId, accountId: req.accountId, holdAmount: hold.amount, holdAt: hold.at, budgetRefs: hold.budgetRefs,
      draws, usage, at: now,
    });
    return { captured, uncollected };
  }

  recordUnheld(usage: UsageRecord): void {
    this.journal.usage(usage);
  }

  async balance(accountId: string): Promise<BalanceView> {
    // A cached account is reloaded first when another process changed the store, so available matches the grants.
    const state = this.accounts.has(accountId) ? this.state(accountId) : undefined;
    this.journal.flushNow();
    const view = await this.store.balance(accountId, this.now());
    if (!state) return view;
    // In-flight holds live in memory; the store only knows those already journaled.
    const available = spendable(state.lots, this.now()) - state.held;
    return { ...view, held: state.held, available: available > 0n ? available : 0n };
  }

  invalidate(): void {
    for (const state of this.accounts.values()) state.stale = true;
  }

  /**
   * Runs `fn`, a synchronous write to the store made outside the journal (a refund's clawback), after every pending
   * posting is committed, so `fn` sees every open hold; then reloads the accounts before their next decision.
   */
  exclusive<T>(fn: () => T): T {
    this.journal.flushNow();
    try {
      return fn();
    } finally {
      this.invalidate();
    }
  }

  async recover(): Promise<RecoveryReport> {
    this.journal.flushNow();
    const open = await this.store.openHolds();
    const now = this.now();
    let released = 0;
    let releasedAmount = 0n;
    for (const h of open) {
      if (this.accounts.get(h.accountId)?.holds.has(h.requestId)) continue;
      const usage: UsageRecord = {
        requestId: h.requestId, accountId: h.accountId, projectId: h.projectId, keyId: h.keyId, model: h.model,
        endpoint: h.endpoint, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, cost: 0n,
        uncollected: 0n, hold: h.amount, priceEffectiveFrom: null, cacheHit: false, status: 'interrupted', httpStatus: 0,
        stream: h.stream, aborted: true, latencyMs: Math.max(0, now - h.createdAt), createdAt: now,
      };
      await this.store.commitBatch({
        holds: [],
        settlements: [{
          requestId: h.requestId, accountId: h.accountId, holdAmount: h.amount, holdAt: h.createdAt, budgetRefs: [], draws: [], usage, at: now,
        }],
        usages: [],
      });
      released++;
      releasedAmount += h.amount;
    }
    return { released, releasedAmount };
  }

  async expire(): Promise<number> {
    this.journal.flushNow();
    const count = await this.store.expireGrants(this.now());
    if (count > 0) for (const state of this.accounts.values()) state.stale = true;
    return count;
  }

  async flush(): Promise<void> {
    await this.journal.flush();
  }

  async close(): Promise<void> {
    await this.journal.flush();
    this.journal.stop();
  }

  /** Loads (or reloads after an outside change) an account's lots; pending postings are committed first. */
  private state(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (state && !state.stale) return state;
    this.journal.flushNow();
    const lots = this.store.loadLots(accountId).sort(compareBurnOrder);
    const budgets = this.store.budgets.list(accountId);
    if (state) {
      state.lots = lots;
      state.budgets = budgets;
      state.budgetSpent = new Map();
      state.stale = false;
    } else {
      state = { lots, held: 0n, holds: new Map(), budgets, budgetHeld: new Map(), budgetSpent: new Map(), stale: false };
      this.accounts.set(accountId, state);
    }
    return state;
  }

  private budgetSpent(state: AccountState, ref: string): Pico {
    let spent = state.budgetSpent.get(ref);
    if (spent === undefined) {
      this.journal.flushNow();
      const { budgetId, periodKey } = splitBudgetPeriodRef(ref);
      spent = this.store.budgets.spent(budgetId, periodKey);
      state.budgetSpent.set(ref, spent);
    }
    return spent;
  }
}
