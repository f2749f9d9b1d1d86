// Evaluates an account's alert rules against facts the gateway supplies and creates one delivery per new firing and
// channel. Off the hot path: schedule() coalesces requests into at most one evaluation per second per account.
import { buildAlertEvent } from '../../domain/alerts/alert-event.js';
import { evaluateRule, FACT_OF_KIND } from '../../domain/alerts/evaluate-rule.js';
import {
  SPEND_HISTORY_DAYS, type AccountFacts, type BalanceFact, type BudgetStatus, type DaySpend, type GrantFact, type MonthSpend, type RunOutFact } from '../../domain/alerts/facts.js';
import type { Firing } from '../../domain/alerts/firing.js';
import { channelKey } from '../../domain/alerts/rule.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { AlertRuleRecord, AlertStore, DeliveryRecord } from './alert-store.js';
import { errorText } from './channel-sender.js';

/** What the gateway knows about an account, read when a rule of the matching kind is evaluated. */
export interface AlertFacts {
  balance(accountId: string): Promise<BalanceFact>;
  /** Every budget of the account, for its current period. */
  budgetStatus(accountId: string): Promise<readonly BudgetStatus[]>;
  grants(accountId: string): Promise<readonly GrantFact[]>;
  /** The last `days` days (today included), oldest first, the last entry today, zero-spend days present. */
  dailySpend(accountId: string, days: number): Promise<readonly DaySpend[]>;
  /** The account's spend in the current calendar month (UTC). */
  monthSpend(accountId: string): Promise<MonthSpend>;
  /** The forecast run-out (runs_out_soon rules); without it those rules are not evaluated (an error is logged). */
  runOut?(accountId: string): Promise<RunOutFact>;
}

export interface AlertEvaluatorOptions {
  store: AlertStore;
  facts: AlertFacts;
  /** Clock for rule evaluation (ms); default Date.now. */
  now?: () => number;
  /** schedule() evaluates an account at most once per this interval; default 1000 ms. */
  minIntervalMs?: number;
  /** Called after an evaluation created deliveries (wire it to DeliveryWorker.wake). */
  onDeliveries?: (created: readonly DeliveryRecord[]) => void;
  logger?: Logger;
}

export interface EvaluationResult {
  rules: number;
  firings: Firing[];
  /** Deliveries this evaluation created (not those that already existed). */
  created: DeliveryRecord[];
  /** Rules that could not be evaluated (their fact failed, or a stored rule was unusable); each is logged. */
  errors: number;
}

interface Slot {
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  again: boolean;
  lastStart: number;
}

const STATE_RETRIES = 3;
const KNOWN_LIMIT = 20_000;

export class AlertEvaluator {
  private readonly store: AlertStore;
  private readonly facts: AlertFacts;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly onDeliveries: ((created: readonly DeliveryRecord[]) => void) | undefined;
  private readonly logger: Logger;
  private readonly slots = new Map<string, Slot>();
  /** (account, dedupe key, channel) already in the store: skips a write that would change nothing. */
  private readonly known = new Set<string>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: AlertEvaluatorOptions) {
    this.store = opts.store;
    this.facts = opts.facts;
    this.now = opts.now ?? Date.now;
    this.minIntervalMs = opts.minIntervalMs ?? 1_000;
    this.onDeliveries = opts.onDeliveries;
    this.logger = opts.logger ?? silentLogger;
  }

  /**
   * Asks for an evaluation of the account soon. Never throws and never waits: calls while one is scheduled are
   * merged, and an account is evaluated at most once per minIntervalMs. The timer does not keep the process alive.
   */
  schedule(accountId: string): void {
    if (this.closed) return;
    let slot = this.slots.get(accountId);
    if (slot === undefined) {
      if (this.slots.size >= KNOWN_LIMIT) this.pruneSlots();
      slot = { timer: undefined, running: false, again: false, lastStart: -Infinity };
      this.slots.set(accountId, slot);
    }
    if (slot.timer !== undefined) return;
    if (slot.running) {
      slot.again = true;
      return;
    }
    const wait = Math.max(0, slot.lastStart + this.minIntervalMs - performance.now());
    this.pending += 1;
    slot.timer = setTimeout(() => void this.runScheduled(accountId, slot), wait);
    if (this.idleWaiters.length === 0) slot.timer.unref();
  }

  /** Resolves when no scheduled evaluation is waiting or running; while someone waits, the timers keep the process alive. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    for (const slot of this.slots.values()) slot.timer?.ref();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels scheduled evaluations and waits for running ones. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots.values()) {
      if (slot.timer === undefined) continue;
      clearTimeout(slot.timer);
      slot.timer = undefined;
      this.settle();
    }
    await this.idle();
  }

  /** Evaluates the account's enabled rules now and creates deliveries for new firings. */
  async evaluate(accountId: string): Promise<EvaluationResult> {
    const rules = (await this.store.listRules(accountId)).filter((r) => r.enabled && r.channels.length > 0);
    const result: EvaluationResult = { rules: rules.length, firings: [], created: [], errors: 0 };
    if (rules.length === 0) return result;
    const facts = await this.loadFacts(accountId, rules);
    for (const rule of rules) {
      try {
        result.firings.push(...await this.evaluateOne(rule, facts));
      } catch (err) {
        result.errors += 1;
        this.logger.error('alert rule evaluation failed', { rule_id: rule.id, account_id: accountId, error: errorText(err) });
      }
    }
    const channelsOf = new Map(rules.map((r) => [r.id, r.channels]));
    for (const firing of result.firings) {
      const event = buildAlertEvent(firing);
      const payload = JSON.stringify(event);
      for (const channel of channelsOf.get(firing.ruleId) ?? []) {
        const key = channelKey(channel);
        const knownKey = `${firing.accountId}\n${firing.dedupeKey}\n${key}`;
        if (this.known.has(knownKey)) continue;
        const { delivery, created } = await this.store.createDelivery({
          accountId: firing.accountId, ruleId: firing.ruleId, kind: firing.data.kind, eventId: event.id,
          dedupeKey: firing.dedupeKey, channelKey: key, channelType: channel.type, payload, now: this.now(),
        });
        if (this.known.size >= KNOWN_LIMIT) this.known.clear();
        this.known.add(knownKey);
        if (created) result.created.push(delivery);
      }
    }
    if (result.created.length > 0) this.onDeliveries?.(result.created);
    return result;
  }

  /** Evaluates one rule; a state change (low_balance episode) is a compare-and-set, re-evaluated if another won. */
  private async evaluateOne(initial: AlertRuleRecord, facts: AccountFacts): Promise<Firing[]> {
    let rule: AlertRuleRecord | undefined = initial;
    for (let i = 0; i < STATE_RETRIES && rule !== undefined; i++) {
      const outcome = evaluateRule(rule, rule.state, facts, this.now());
      if (JSON.stringify(outcome.state) === JSON.stringify(rule.state)) return outcome.firings;
      if (await this.store.updateRuleState(rule.id, rule.stateVersion, outcome.state)) return outcome.firings;
      rule = await this.store.getRule(rule.id);
      if (rule !== undefined && !rule.enabled) return [];
    }
    if (rule === undefined) return [];
    throw new Error(`rule state kept changing under ${STATE_RETRIES} evaluations`);
  }

  /** Reads the facts the rules need, concurrently; a fact that fails leaves its rules unevaluated (and logged). */
  private async loadFacts(accountId: string, rules: readonly AlertRuleRecord[]): Promise<AccountFacts> {
    const needed = new Set(rules.map((r) => FACT_OF_KIND[r.kind]));
    const facts: AccountFacts = {};
    const load = async <K extends keyof AccountFacts>(key: K, read: () => Promise<NonNullable<AccountFacts[K]>>) => {
      if (!needed.has(key)) return;
      try {
        facts[key] = await read();
      } catch (err) {
        this.logger.error('alert fact could not be read', { fact: key, account_id: accountId, error: errorText(err) });
      }
    };
    await Promise.all([
      load('balance', () => this.facts.balance(accountId)),
      load('budgets', () => this.facts.budgetStatus(accountId)),
      load('grants', () => this.facts.grants(accountId)),
      load('dailySpend', () => this.facts.dailySpend(accountId, SPEND_HISTORY_DAYS)),
      load('monthSpend', () => this.facts.monthSpend(accountId)),
      load('runOut', async () => {
        if (!this.facts.runOut) throw new Error('no forecast facts wired');
        return this.facts.runOut(accountId);
      }),
    ]);
    return facts;
  }

  private async runScheduled(accountId: string, slot: Slot): Promise<void> {
    slot.timer = undefined;
    slot.running = true;
    slot.lastStart = performance.now();
    try {
      await this.evaluate(accountId);
    } catch (err) {
      this.logger.error('alert evaluation failed', { account_id: accountId, error: errorText(err) });
    } finally {
      slot.running = false;
      if (slot.again) {
        slot.again = false;
        this.schedule(accountId);
      }
      this.settle();
    }
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pruneSlots(): void {
    const cutoff = performance.now() - this.minIntervalMs;
    for (const [id, slot] of this.slots) {
      if (slot.timer === undefined && !slot.running && slot.lastStart < cutoff) this.slots.delete(id);
    }
  }
}
