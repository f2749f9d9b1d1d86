// Auto-recharge: when an account's available balance falls below its threshold, charge its saved card off-session,
// once per crossing. A crossing is an episode: its one attempt is claimed by a conditional insert on
// (account, episode), so concurrent requests and several replicas charge once; the next episode opens only when the
// balance is back at or above the threshold (or after a failure, once its back-off has passed).
import type { PaymentsConfig } from '../../config/config.js';
import { creditsToCents, monthKey, rechargeCredits, retryDelayMs } from '../../domain/payments/recharge.js';
import type { Logger } from '../../observability/logger.js';
import type { Wallet } from '../wallet/wallet.js';
import type { PaymentStore, RechargeSettings } from './payment-store.js';
import type { OffSessionOutcome, Payments } from './payments.js';
import type { PaymentProvider } from './provider.js';
import type { RechargeFailure } from './recharge-alert.js';

/** A charge still pending after this long lost its outcome (a crash, a broken connection): it is asked again. */
const PENDING_RESUME_MS = 2 * 60_000;
/** Stripe keeps idempotency keys for 24 hours; past that a resumed call could charge anew, so it is left alone. */
const PENDING_RESUME_UNTIL_MS = 23 * 3_600_000;

export interface AutoRechargeDeps {
  payments: PaymentStore;
  service: Payments;
  provider: PaymentProvider | undefined;
  wallet: Pick<Wallet, 'balance'>;
  config: PaymentsConfig;
  /** Before reading a balance: notice changes other processes made (the CLI), as every request does. */
  beforeRead?: () => Promise<void>;
  now: () => number;
  logger: Logger;
  alert: (f: RechargeFailure) => Promise<unknown>;
}

export class AutoRecharge {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly deps: AutoRechargeDeps) {}

  /** Asks for a check of the account soon, off the hot path (coalesced per account; never throws). */
  schedule(accountId: string): void {
    if (!this.deps.provider) return;
    if (this.running.has(accountId)) {
      this.again.add(accountId);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(accountId);
        try {
          await this.check(accountId);
        } catch (err) {
          this.deps.logger.error('auto-recharge check failed', { account_id: accountId, error: (err as Error).message });
        }
      } while (this.again.has(accountId));
    })().finally(() => this.running.delete(accountId));
    this.running.set(accountId, run);
  }

  /** Checks every account with auto-recharge on (the periodic sweep). */
  async sweep(): Promise<void> {
    for (const s of await this.deps.payments.listEnabledRecharges()) this.schedule(s.accountId);
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** One decision for one account: re-arm, do nothing, or claim this episode's attempt and charge. */
  async check(accountId: string): Promise<void> {
    const { payments, now } = this.deps;
    const s = await payments.getRecharge(accountId);
    if (!s || !s.enabled || !this.deps.provider) return;
    await this.deps.beforeRead?.();
    const available = (await this.deps.wallet.balance(accountId)).available;
    const t = now();
    const attempt = await payments.getAttempt(accountId, s.episode);
    if (available >= s.threshold) {
      if (attempt) await payments.nextEpisode(accountId, s.episode, t);
      return;
    }
    if (attempt?.status === 'pending') {
      const age = t - attempt.createdAt;
      // Asking again with the same idempotency key returns the first call's outcome (or makes the call if it never
      // arrived): it can never charge twice.
      if (age > PENDING_RESUME_MS && age < PENDING_RESUME_UNTIL_MS && s.customerId && s.paymentMethodId) {
        await this.charge(s, attempt.credits, attempt.amountCents);
      }
      return;
    }
    if (attempt) {
      // This crossing already had its attempt. A capped one is tried again when a new month lifts the cap.
      if (attempt.status === 'capped' && attempt.monthKey !== monthKey(t)) await payments.nextEpisode(accountId, s.episode, t);
      return;
    }
    if (t < s.retryAt || !s.customerId || !s.paymentMethodId) return;
    const month = monthKey(t);
    const credits = rechargeCredits(s, available, await payments.rechargedInMonth(accountId, month));
    const amountCents = creditsToCents(credits);
    const claimed = await payments.claimAttempt({
      accountId, episode: s.episode, status: credits > 0n ? 'pending' : 'capped', monthKey: month, credits, amountCents, createdAt: t,
    });
    if (!claimed || credits === 0n) return;
    await this.charge(s, credits, amountCents);
  }

  private async charge(s: RechargeSettings, credits: bigint, amountCents: number): Promise<void> {
    const { payments, now } = this.deps;
    const reference = `recharge:${s.accountId}:${s.episode}`;
    let result;
    try {
      result = await this.deps.provider!.chargeOffSession({
        accountId: s.accountId, customerId: s.customerId!, paymentMethodId: s.paymentMethodId!, amountCents,
        currency: this.deps.config.currency, idempotencyKey: `tollgate-${reference}`, reference,
      });
    } catch (err) {
      // The outcome is unknown (the provider may have charged): the attempt stays pending, so nothing new charges for
      // this crossing; the provider's webhook settles it, or a later check asks again with the same idempotency key.
      this.deps.logger.error('auto-recharge charge outcome unknown; waiting for the webhook', { account_id: s.accountId, error: (err as Error).message });
      return;
    }
    if (result.paymentId) {
      await payments.insertPayment({
        id: result.paymentId, provider: this.deps.provider!.name, kind: 'auto_recharge', accountId: s.accountId, planId: null,
        paymentIntentId: result.paymentId, amountCents, currency: this.deps.config.currency, credits,
      }, now());
    }
    if (result.ok) {
      const payment = (await payments.getPayment(result.paymentId))!;
      await this.deps.service.grant(payment, result.paymentId);
      await payments.finishAttempt(s.accountId, s.episode, { status: 'succeeded', paymentId: result.paymentId, error: null }, now());
      return;
    }
    if (result.paymentId) await payments.markFailed(result.paymentId, `${result.code}: ${result.message}`, now());
    await this.failed(s.accountId, s.episode, result.paymentId, result.code, result.message);
  }

  /** A failed charge: record it, back off, alert, and turn auto-recharge off after too many in a row. */
  private async failed(accountId: string, episode: number, paymentId: string | null, code: string, message: string): Promise<void> {
    const { payments, now, config } = this.deps;
    const attempt = await payments.getAttempt(accountId, episode);
    if (!attempt || attempt.status !== 'pending') return;
    await payments.finishAttempt(accountId, episode, { status: 'failed', paymentId, error: `${code}: ${message}` }, now());
    const before = await payments.getRecharge(accountId);
    const failures = (before?.consecutiveFailures ?? 0) + 1;
    const advanced = await payments.nextEpisode(accountId, episode, now(), {
      error: `${code}: ${message}`, retryAt: now() + retryDelayMs(failures), maxFailures: config.rechargeMaxFailures,
    });
    if (!advanced) return;
    const after = await payments.getRecharge(accountId);
    this.deps.logger.error('auto-recharge charge failed', { account_id: accountId, code, failures, disabled: after?.enabled === false });
    await this.deps.alert({
      accountId, episode, code, message, consecutiveFailures: after?.consecutiveFailures ?? failures, disabled: after?.enabled === false, at: now(),
    });
  }

  /** Off-session outcomes the provider's webhook reports (the synchronous path may have recorded them already). */
  async offSession(o: OffSessionOutcome): Promise<void> {
    const m = /^recharge:(.+):(\d+)$/.exec(o.reference ?? '');
    if (!m) return;
    const accountId = m[1]!;
    const episode = Number(m[2]);
    const attempt = await this.deps.payments.getAttempt(accountId, episode);
    if (!attempt) return;
    if (!o.ok) {
      await this.failed(accountId, episode, o.paymentId, o.code, o.message);
      return;
    }
    await this.deps.payments.insertPayment({
      id: o.paymentId, provider: this.deps.provider?.name ?? 'stripe', kind: 'auto_recharge', accountId, planId: null,
      paymentIntentId: o.paymentId, amountCents: attempt.amountCents, currency: this.deps.config.currency, credits: attempt.credits,
    }, this.deps.now());
    await this.deps.payments.finishAttempt(accountId, episode, { status: 'succeeded', paymentId: o.paymentId, error: null }, this.deps.now());
  }
}
