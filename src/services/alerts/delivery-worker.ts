// Sends due alert deliveries: claims a batch from the AlertStore, sends each through its channel, records the attempt,
// and schedules a retry with backoff or gives up after the last attempt. Safe to run on every replica.
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from '../../domain/alerts/backoff.js';
import { findChannel, type AlertChannel } from '../../domain/alerts/rule.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { AlertRuleRecord, AlertStore, ClaimedDelivery } from './alert-store.js';
import { errorText, type ChannelSenders, type SendOutcome } from './channel-sender.js';

export interface DeliveryWorkerOptions {
  store: AlertStore;
  senders: ChannelSenders;
  /** Clock for due times and the attempt log (ms); default Date.now. */
  now?: () => number;
  retry?: RetryPolicy;
  /** Deliveries claimed per pass; default 20. */
  batchSize?: number;
  /** How long a claim keeps other workers off a delivery; default 60 s, longer than any send timeout. */
  leaseMs?: number;
  /** How often start() looks for due deliveries; default 5 s. wake() looks sooner. */
  pollIntervalMs?: number;
  logger?: Logger;
}

export interface PassResult {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  /** Attempts whose claim was lost (the lease ran out while sending); another worker owns them now. */
  lost: number;
}

export class DeliveryWorker {
  private readonly store: AlertStore;
  private readonly senders: ChannelSenders;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private started = false;

  constructor(opts: DeliveryWorkerOptions) {
    this.store = opts.store;
    this.senders = opts.senders;
    this.now = opts.now ?? Date.now;
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.batchSize = opts.batchSize ?? 20;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 5_000;
    this.logger = opts.logger ?? silentLogger;
  }

  /** Polls for due deliveries until stop(); the timer does not keep the process alive. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.arm(0);
  }

  /** Looks for due deliveries now (e.g. right after an evaluation created some). */
  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.arm(0);
  }

  /** Stops polling and waits for the pass in progress, whose attempts are all recorded. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: claim a batch of due deliveries, send them concurrently, record each attempt. */
  async runOnce(): Promise<PassResult> {
    const result: PassResult = { claimed: 0, delivered: 0, retrying: 0, failed: 0, lost: 0 };
    const claimed = await this.store.dueDeliveries({ now: this.now(), limit: this.batchSize, leaseMs: this.leaseMs });
    result.claimed = claimed.length;
    const rules = new Map<string, Promise<AlertRuleRecord | undefined>>();
    const ruleOf = (id: string) => {
      let rule = rules.get(id);
      if (rule === undefined) rules.set(id, rule = this.store.getRule(id));
      return rule;
    };
    await Promise.all(claimed.map(async (delivery) => {
      const outcome = await this.attempt(delivery, ruleOf);
      result[outcome] += 1;
    }));
    return result;
  }

  /** Runs passes until nothing is due (tests, shutdown drains). */
  async drain(): Promise<PassResult> {
    const total: PassResult = { claimed: 0, delivered: 0, retrying: 0, failed: 0, lost: 0 };
    for (;;) {
      const pass = await this.runOnce();
      for (const k of Object.keys(total) as Array<keyof PassResult>) total[k] += pass[k];
      if (pass.claimed < this.batchSize) return total;
    }
  }

  private async attempt(
    delivery: ClaimedDelivery,
    ruleOf: (id: string) => Promise<AlertRuleRecord | undefined>,
  ): Promise<Exclude<keyof PassResult, 'claimed'>> {
    const attempt = delivery.attempts + 1;
    const started = this.now();
    const t0 = performance.now();
    let outcome: SendOutcome;
    try {
      const rule = await ruleOf(delivery.ruleId);
      const channel = rule && findChannel(rule.channels, delivery.channelKey);
      if (rule === undefined) outcome = { ok: false, statusCode: null, error: 'rule deleted', retryable: false };
      else if (channel === undefined) outcome = { ok: false, statusCode: null, error: 'channel removed from the rule', retryable: false };
      else outcome = await this.send(delivery, attempt, channel);
    } catch (err) {
      outcome = { ok: false, statusCode: null, error: errorText(err), retryable: true };
    }
    const at = this.now();
    const retryAt = outcome.ok || !outcome.retryable ? null : nextAttemptAt(attempt, at, this.retry);
    const recorded = await this.store.recordAttempt({
      deliveryId: delivery.id, claimToken: delivery.claimToken, at, ok: outcome.ok, statusCode: outcome.statusCode,
      error: outcome.error, durationMs: Math.max(0, performance.now() - t0), retryAt,
    }).catch((err: unknown) => {
      // The attempt happened but cannot be written; the lease will run out and the delivery be tried again.
      this.logger.error('alert delivery attempt could not be recorded', { delivery_id: delivery.id, error: errorText(err) });
      return false;
    });
    if (!recorded) return 'lost';
    if (outcome.ok) return 'delivered';
    const fields = {
      delivery_id: delivery.id, account_id: delivery.accountId, channel: delivery.channelType, attempt,
      status_code: outcome.statusCode, error: outcome.error, started_at: started,
    };
    if (retryAt === null) {
      this.logger.error('alert delivery failed for good', fields);
      return 'failed';
    }
    this.logger.warn('alert delivery failed; will retry', { ...fields, retry_at: retryAt });
    return 'retrying';
  }

  private async send(delivery: ClaimedDelivery, attempt: number, channel: AlertChannel): Promise<SendOutcome> {
    const alert = { deliveryId: delivery.id, eventId: delivery.eventId, payload: delivery.payload, attempt };
    if (channel.type === 'webhook') {
      return this.senders.webhook
        ? this.senders.webhook.send(alert, channel)
        : { ok: false, statusCode: null, error: 'no webhook sender', retryable: false };
    }
    return this.senders.email
      ? this.senders.email.send(alert, channel)
      : { ok: false, statusCode: null, error: 'no email sender', retryable: false };
  }

  private arm(delayMs: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.loop().finally(() => {
        this.running = undefined;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.arm(again ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    try {
      await this.drain();
    } catch (err) {
      this.logger.error('alert delivery pass failed', { error: errorText(err) });
    }
  }
}
