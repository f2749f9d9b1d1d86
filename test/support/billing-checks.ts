// End-to-end billing checks: the charge a call must cost (reported usage x the gateway's prices, in bigint), and
// the assertions every metered test makes afterwards (exact balance move, ledger balanced, no hold left open).
import assert from 'node:assert/strict';
import type { Price } from '../../src/domain/pricing/price.js';
import type { UsageRecord } from '../../src/store/records.js';
import type { Harness } from './harness.js';
import { assertLedgerBalances, assertNoOpenHolds } from './ledger-check.js';

/** The upstream key the harness configures; the only credential the simulator may ever see. */
export const UPSTREAM_AUTHORIZATION = 'Bearer sk-upstream-test';

/** Token counts as a client reads them from the usage the SDK returned (input includes cached, output includes reasoning). */
export interface BilledTokens {
  input: number;
  cached?: number;
  output: number;
}

export function priceOf(h: Harness, model: string): Price {
  const price = h.gateway.deps.prices.lookup(model, Date.now());
  assert.ok(price, `no price for ${model}`);
  return price;
}

/** (input − cached) × input price + cached × cached-input price + output × output price, in pico-credits. */
export function expectedCharge(h: Harness, model: string, t: BilledTokens): bigint {
  const p = priceOf(h, model);
  const cached = BigInt(t.cached ?? 0);
  assert.ok(cached <= BigInt(t.input), 'test bug: more cached than input tokens');
  return (BigInt(t.input) - cached) * p.inputPerToken + cached * p.cachedInputPerToken + BigInt(t.output) * p.outputPerToken;
}

export async function available(h: Harness, accountId: string): Promise<bigint> {
  return (await h.balance(accountId)).available;
}

/** After a request: the balance dropped by exactly `charge`, nothing is held, the ledger balances, no hold is open. */
export async function assertCharged(h: Harness, accountId: string, before: bigint, charge: bigint): Promise<void> {
  const b = await h.balance(accountId);
  assert.equal(before - b.available, charge, `charged ${before - b.available} pico, expected ${charge}`);
  assert.equal(b.held, 0n, 'credit still held after the request');
  await assertLedgerBalances(h.store, accountId);
  await assertNoOpenHolds(h.store);
}

/** The account's usage records, oldest first, after every pending posting is committed. */
export async function usageOf(h: Harness, accountId: string): Promise<UsageRecord[]> {
  await h.gateway.deps.wallet.flush();
  const rows = await h.store.listUsage({ accountId });
  return [...rows].sort((a, b) => a.createdAt - b.createdAt);
}

/** Every request the simulator received carried the upstream key, and no header anywhere carried the client's key. */
export function assertUpstreamSawOnlyItsKey(h: Harness, clientKey: string): void {
  assert.ok(h.upstream.requests.length > 0, 'the upstream saw no request');
  for (const r of h.upstream.requests) {
    assert.equal(r.headers.authorization, UPSTREAM_AUTHORIZATION);
    assert.ok(!JSON.stringify(r.headers).includes(clientKey), 'the client key reached the upstream');
    assert.ok(!JSON.stringify(r.body ?? '').includes(clientKey), 'the client key reached the upstream body');
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
