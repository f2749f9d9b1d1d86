import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateApiKey, hashApiKey, redactApiKey } from './api-key.js';
import { newRequestId, randomBase62 } from './ids.js';

test('keys are tg- plus at least 32 random bytes of base62, all distinct', () => {
  const keys = new Set(Array.from({ length: 200 }, generateApiKey));
  assert.equal(keys.size, 200);
  for (const key of keys) {
    assert.match(key, /^tg-[0-9A-Za-z]{43,}$/);
  }
});

test('hash is stable and hex; redaction hides the middle', () => {
  const key = generateApiKey();
  assert.equal(hashApiKey(key), hashApiKey(key));
  assert.match(hashApiKey(key), /^[0-9a-f]{64}$/);
  const shown = redactApiKey(key);
  assert.ok(shown.startsWith(key.slice(0, 7)) && shown.endsWith(key.slice(-4)));
  assert.ok(!shown.includes(key.slice(7, -4)));
});

test('base62 output covers the alphabet without bias towards the first characters', () => {
  const counts = new Map<string, number>();
  for (const ch of randomBase62(20_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, 62);
  const values = [...counts.values()];
  assert.ok(Math.max(...values) / Math.min(...values) < 1.6);
  assert.match(newRequestId(), /^req_[0-9a-f]{32}$/);
  const ids = Array.from({ length: 1000 }, () => newRequestId());
  assert.equal(new Set(ids).size, 1000);
  assert.deepEqual([...ids].sort(), ids, 'time-ordered');
});

test('request ids keep 64 fresh random bits each across refills of the random pool', () => {
  // 2,000 ids cross the 512-id pool several times; the random parts (last 16 hex) never repeat, and the ids made in
  // one millisecond are told apart by the counter, not by luck.
  const random = Array.from({ length: 2000 }, () => newRequestId(1_700_000_000_000).slice(-16));
  assert.equal(new Set(random).size, 2000);
  const sameMs = Array.from({ length: 10 }, () => newRequestId(1_700_000_000_001));
  assert.deepEqual(sameMs.map((id) => id.slice(16, 20)), ['0000', '0001', '0002', '0003', '0004', '0005', '0006', '0007', '0008', '0009']);
});
