import { test } from 'node:test';
import assert from 'node:assert/strict';
import { largeBody, lookupCosts } from './cache-lookup-cost.js';

test('the large body is about 8 KB of JSON', () => {
  const bytes = JSON.stringify(largeBody()).length;
  assert.ok(bytes >= 8_192 && bytes < 9_000, `${bytes} bytes`);
});

test('the cache step is measured off, miss and hit for both bodies, with finite figures', async () => {
  // lookupCosts itself throws if a case does not come out as off / miss / hit.
  const rows = await lookupCosts(300, 3);
  assert.deepEqual(rows.map((r) => r.body), ['typical chat (2 messages)', 'large chat (~8 KB of messages)']);
  for (const r of rows) {
    for (const us of [r.offUs, r.missUs, r.hitUs, r.canonicalUs, r.hashUs]) assert.ok(Number.isFinite(us) && us > 0, `${r.body}: ${us}`);
    assert.ok(r.missUs > r.offUs, `${r.body}: a miss (${r.missUs} µs) hashes, the cache off (${r.offUs} µs) does not`);
  }
});
