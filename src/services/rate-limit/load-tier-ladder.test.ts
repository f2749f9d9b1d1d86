import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LADDER } from '../../domain/rate-limits/default-ladder.js';
import { TierLadderError } from '../../domain/rate-limits/ladder-file.js';
import { tierFor } from '../../domain/rate-limits/tiers.js';
import { PICO_PER_CREDIT } from '../../domain/money/pico.js';
import { loadTierLadder } from './load-tier-ladder.js';

test('loadTierLadder: the built-in ladder unless TOLLGATE_TIERS_FILE names one', () => {
  assert.equal(loadTierLadder({}), DEFAULT_LADDER);
  assert.equal(loadTierLadder({ TOLLGATE_TIERS_FILE: '' }), DEFAULT_LADDER);
});

test('loadTierLadder: the file replaces the defaults, and its thresholds decide promotion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tiers-'));
  try {
    const file = join(dir, 'tiers.json');
    writeFileSync(file, JSON.stringify({ tiers: [
      { name: 'free', minPurchased: '0', minDaysSinceFirstPurchase: 0 },
      { name: 'tier-1', minPurchased: '1', minDaysSinceFirstPurchase: 0 },
    ] }));
    const ladder = loadTierLadder({ TOLLGATE_TIERS_FILE: file });
    assert.deepEqual(ladder.tiers.map((t) => t.name), ['free', 'tier-1']);
    assert.equal(tierFor({ totalPurchased: PICO_PER_CREDIT, firstPurchaseAt: 0 }, 0, ladder), 'tier-1');
    assert.equal(tierFor({ totalPurchased: 10_000n * PICO_PER_CREDIT, firstPurchaseAt: 0 }, 365 * 86_400_000, ladder), 'tier-1');

    writeFileSync(file, '{"tiers": [');
    assert.throws(() => loadTierLadder({ TOLLGATE_TIERS_FILE: file }), (e: unknown) => e instanceof TierLadderError && e.message.includes(file));
    writeFileSync(file, JSON.stringify({ tiers: [{ name: 'free', minPurchased: '3', minDaysSinceFirstPurchase: 0 }] }));
    assert.throws(() => loadTierLadder({ TOLLGATE_TIERS_FILE: file }), (e: unknown) => e instanceof TierLadderError && /invalid tier file .*entry tier/.test(e.message));
    assert.throws(() => loadTierLadder({ TOLLGATE_TIERS_FILE: join(dir, 'missing.json') }), /cannot read tier file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
