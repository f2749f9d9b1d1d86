import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PICO_PER_CREDIT } from '../money/pico.js';
import { DEFAULT_LADDER } from './default-ladder.js';
import { ladderToDocument, parseLadder, TierLadderError, type TierLadderDocument } from './ladder-file.js';
import { limitsFor } from './tiers.js';

const row = { rpm: 10, tpm: 1000, rpd: null };

test('the built-in ladder round-trips through its file form (also as JSON text)', () => {
  const document = JSON.parse(JSON.stringify(ladderToDocument(DEFAULT_LADDER))) as unknown;
  assert.deepEqual(parseLadder(document), DEFAULT_LADDER);
});

test('a file may change only the thresholds: built-in tiers keep their limits', () => {
  const ladder = parseLadder({
    tiers: [
      { name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 },
      { name: 'tier-1', minPurchased: '20.5', minDaysSinceFirstPurchase: 1 },
    ],
  });
  assert.equal(ladder.tiers[1]!.minPurchased, 20_500_000_000_000n);
  assert.deepEqual(ladder.tiers[1]!.limits, DEFAULT_LADDER.tiers[1]!.limits);
});

test('a file can define its own tiers and limits', () => {
  const ladder = parseLadder({
    tiers: [
      { name: 'trial', minPurchased: '0', minDaysSinceFirstPurchase: 0, limits: { default: row } },
      { name: 'pro', minPurchased: '100', minDaysSinceFirstPurchase: 0, limits: { default: row, models: { 'gpt-4o': { rpm: 99, tpm: null, rpd: 5 } } } },
    ],
  });
  assert.equal(ladder.tiers[1]!.minPurchased, 100n * PICO_PER_CREDIT);
  assert.deepEqual(limitsFor('pro', 'gpt-4o-2024-08-06', ladder).account, { rpm: 99, tpm: null, rpd: 5 });
  assert.deepEqual(limitsFor('trial', 'gpt-4o', ladder).account, row);
});

test('invalid files are refused with every problem named', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /tiers/],
    [{ tiers: [] }, /tiers/],
    [{ tiers: [{ name: 'free', minPurchased: '1', minDaysSinceFirstPurchase: 0 }] }, /entry tier/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 }, { name: 'free', minPurchased: '5', minDaysSinceFirstPurchase: 0 }] }, /duplicate/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 }, { name: 'tier-1', minPurchased: '5', minDaysSinceFirstPurchase: 3 }, { name: 'tier-2', minPurchased: '4', minDaysSinceFirstPurchase: 3 }] }, /lower than the tier before/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 }, { name: 'gold', minPurchased: '5', minDaysSinceFirstPurchase: 0 }] }, /limits: required/],
    [{ tiers: [{ name: 'free', minPurchased: '1e3', minDaysSinceFirstPurchase: 0 }] }, /minPurchased/],
    [{ tiers: [{ name: 'free', minPurchased: 0, minDaysSinceFirstPurchase: 0 }] }, /minPurchased/],
    [{ tiers: [{ name: 'Free Tier', minPurchased: '0', minDaysSinceFirstPurchase: 0 }] }, /name/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0, limits: { default: { rpm: 0, tpm: 1, rpd: null } } }] }, /rpm/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0, limits: { default: { rpm: 1, tpm: 1.5, rpd: null } } }] }, /tpm/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0, limits: { default: { rpm: 1, tpm: 1, rpd: 200_000_000 } } }] }, /rpd/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0, limits: { default: { rpm: 1, tpm: 1 } } }] }, /rpd/],
    [{ tiers: [{ name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0, extra: true }] }, /extra|Unrecognized/i],
  ];
  for (const [document, pattern] of cases) {
    assert.throws(() => parseLadder(document), (err: unknown) => err instanceof TierLadderError && pattern.test(err.message), JSON.stringify(document));
  }
});

test('the README example is a valid ladder', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('./README.md', import.meta.url), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a json example');
  const ladder = parseLadder(JSON.parse(block[1]!) as TierLadderDocument);
  assert.ok(ladder.tiers.length >= 2);
});
