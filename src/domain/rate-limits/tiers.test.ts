import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PICO_PER_CREDIT } from '../money/pico.js';
import { DAY_MS } from './bucket.js';
import { DEFAULT_LADDER, DEFAULT_TIER_NAMES } from './default-ladder.js';
import { familyOf, isTier, limitsFor, tierFor, type PurchaseHistory } from './tiers.js';

const NOW = Date.UTC(2025, 5, 1);
const credits = (n: number | bigint) => BigInt(n) * PICO_PER_CREDIT;
const bought = (amount: number, daysAgo: number | null): PurchaseHistory => ({
  totalPurchased: credits(amount),
  firstPurchaseAt: daysAgo === null ? null : NOW - daysAgo * DAY_MS,
});

test('the default ladder is OpenAI\'s: free, then $5, $50/7d, $100/7d, $250/14d, $1,000/30d', () => {
  assert.deepEqual(DEFAULT_LADDER.tiers.map((t) => t.name), [...DEFAULT_TIER_NAMES]);
  assert.deepEqual(
    DEFAULT_LADDER.tiers.map((t) => [t.minPurchased, t.minDaysSinceFirstPurchase]),
    [[0n, 0], [credits(5), 0], [credits(50), 7], [credits(100), 7], [credits(250), 14], [credits(1000), 30]],
  );
});

test('tierFor: nothing bought is free; each threshold of money and days promotes', () => {
  assert.equal(tierFor(bought(0, null), NOW, DEFAULT_LADDER), 'free');
  assert.equal(tierFor({ totalPurchased: credits(5) - 1n, firstPurchaseAt: NOW }, NOW, DEFAULT_LADDER), 'free');
  assert.equal(tierFor(bought(5, 0), NOW, DEFAULT_LADDER), 'tier-1');
  assert.equal(tierFor(bought(50, 0), NOW, DEFAULT_LADDER), 'tier-1', '$50 but not yet 7 days');
  assert.equal(tierFor({ totalPurchased: credits(50), firstPurchaseAt: NOW - 7 * DAY_MS + 1 }, NOW, DEFAULT_LADDER), 'tier-1');
  assert.equal(tierFor(bought(50, 7), NOW, DEFAULT_LADDER), 'tier-2', 'exactly 7 days qualifies');
  assert.equal(tierFor(bought(100, 7), NOW, DEFAULT_LADDER), 'tier-3');
  assert.equal(tierFor(bought(250, 13), NOW, DEFAULT_LADDER), 'tier-3');
  assert.equal(tierFor(bought(250, 14), NOW, DEFAULT_LADDER), 'tier-4');
  assert.equal(tierFor(bought(999, 400), NOW, DEFAULT_LADDER), 'tier-4');
  assert.equal(tierFor(bought(1000, 30), NOW, DEFAULT_LADDER), 'tier-5');
  assert.equal(tierFor(bought(100_000, 29), NOW, DEFAULT_LADDER), 'tier-4', 'money alone does not skip the wait');
});

test('tierFor: a purchase that crosses a threshold promotes on the next call', () => {
  const before = bought(40, 10);
  assert.equal(tierFor(before, NOW, DEFAULT_LADDER), 'tier-1');
  const after = { ...before, totalPurchased: before.totalPurchased + credits(10) };
  assert.equal(tierFor(after, NOW, DEFAULT_LADDER), 'tier-2');
});

test('tierFor: a tier the operator set is a floor, never lowered, and a lower one does not demote', () => {
  assert.equal(tierFor(bought(0, null), NOW, DEFAULT_LADDER, 'tier-3'), 'tier-3');
  assert.equal(tierFor(bought(1000, 30), NOW, DEFAULT_LADDER, 'tier-3'), 'tier-5');
  assert.equal(tierFor(bought(5, 0), NOW, DEFAULT_LADDER, 'free'), 'tier-1');
  assert.equal(tierFor(bought(5, 0), NOW, DEFAULT_LADDER, null), 'tier-1');
  assert.equal(tierFor(bought(5, 0), NOW, DEFAULT_LADDER, 'platinum'), 'tier-1', 'an unknown manual tier is ignored');
  assert.equal(isTier(DEFAULT_LADDER, 'platinum'), false);
  assert.equal(isTier(DEFAULT_LADDER, 'tier-4'), true);
});

test('familyOf: longest key wins; snapshots join their family; a prefix without "-" does not match', () => {
  const limits = DEFAULT_LADDER.tiers[1]!.limits;
  assert.equal(familyOf('gpt-4o', limits), 'gpt-4o');
  assert.equal(familyOf('gpt-4o-2024-08-06', limits), 'gpt-4o');
  assert.equal(familyOf('gpt-4o-mini', limits), 'gpt-4o-mini');
  assert.equal(familyOf('gpt-4o-mini-2024-07-18', limits), 'gpt-4o-mini');
  assert.equal(familyOf('gpt-4.1-nano-2025-04-14', limits), 'gpt-4.1-nano');
  assert.equal(familyOf('o3-mini', limits), 'o3-mini');
  assert.equal(familyOf('o3-2025-04-16', limits), 'o3');
  assert.equal(familyOf('gpt-4', limits), null);
  assert.equal(familyOf('gpt-4oo', limits), null);
  assert.equal(familyOf('my-model', limits), null);
});

test('limitsFor: per-family rows, the default row for other models, limits grow with the tier', () => {
  const mini = limitsFor('tier-1', 'gpt-4o-mini-2024-07-18', DEFAULT_LADDER);
  assert.deepEqual(mini, { tier: 'tier-1', group: 'gpt-4o-mini', account: { rpm: 500, tpm: 200_000, rpd: 10_000 }, project: null });
  const big = limitsFor('tier-1', 'gpt-4o', DEFAULT_LADDER);
  assert.deepEqual(big.account, { rpm: 500, tpm: 30_000, rpd: null });
  const other = limitsFor('tier-1', 'some-model', DEFAULT_LADDER);
  assert.equal(other.group, 'some-model', 'a model in no family counts on its own');
  assert.deepEqual(other.account, DEFAULT_LADDER.tiers[1]!.limits.default);
  assert.deepEqual(limitsFor('free', 'gpt-4o-mini', DEFAULT_LADDER).account, { rpm: 3, tpm: 40_000, rpd: 200 });
  assert.deepEqual(limitsFor('free', 'gpt-4o', DEFAULT_LADDER).account, { rpm: 3, tpm: 30_000, rpd: 200 }, 'free never above tier 1');
  assert.throws(() => limitsFor('tier-9', 'gpt-4o', DEFAULT_LADDER), RangeError);

  for (const family of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'text-embedding-3-small']) {
    const tpms = DEFAULT_TIER_NAMES.map((t) => limitsFor(t, family, DEFAULT_LADDER).account.tpm ?? Infinity);
    for (let i = 1; i < tpms.length; i++) assert.ok(tpms[i]! >= tpms[i - 1]!, `${family} TPM never drops with the tier`);
  }
  for (const tier of DEFAULT_TIER_NAMES.slice(1)) {
    const miniTpm = limitsFor(tier, 'gpt-4o-mini', DEFAULT_LADDER).account.tpm!;
    const fullTpm = limitsFor(tier, 'gpt-4o', DEFAULT_LADDER).account.tpm!;
    assert.ok(miniTpm > fullTpm, `${tier}: gpt-4o-mini gets more TPM than gpt-4o`);
  }
});

test('limitsFor: project overrides are a second level, capped at the account limits', () => {
  const overrides = { 'gpt-4o': { rpm: 20, tpm: 1_000_000 }, '*': { rpd: 50 } };
  const gpt4o = limitsFor('tier-1', 'gpt-4o-2024-08-06', DEFAULT_LADDER, overrides);
  assert.deepEqual(gpt4o.project, { rpm: 20, tpm: 30_000, rpd: null }, 'TPM above the tier is capped at it');
  const mini = limitsFor('tier-1', 'gpt-4o-mini', DEFAULT_LADDER, overrides);
  assert.deepEqual(mini.project, { rpm: null, tpm: null, rpd: 50 }, '"*" applies to families without their own');
  assert.equal(limitsFor('tier-1', 'gpt-4o', DEFAULT_LADDER, { 'gpt-4o': {} }).project, null);
  assert.equal(limitsFor('tier-1', 'gpt-4o', DEFAULT_LADDER, { 'gpt-4o': { rpm: null } }).project, null);
  assert.equal(limitsFor('tier-1', 'gpt-4o', DEFAULT_LADDER, {}).project, null);
  assert.deepEqual(limitsFor('tier-2', 'gpt-4o', DEFAULT_LADDER, { 'gpt-4o': { rpd: 7 } }).project, { rpm: null, tpm: null, rpd: 7 },
    'an override caps a dimension the tier leaves unlimited');
});
