import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerBytes, type CachedAnswer } from '../../domain/cache/cached-answer.js';
import { LruBackend } from './lru-backend.js';

const answer = (size: number, at = 0): CachedAnswer => ({
  status: 200, contentType: 'application/json', stream: false, body: Buffer.alloc(size, 0x61), storedAt: at,
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0 },
});

test('the memory bound is never exceeded; the least recently used answers go first', () => {
  const one = answerBytes(answer(1000), 'k00'.length);
  const lru = new LruBackend(one * 3);
  lru.set('k00', answer(1000), 60_000);
  lru.set('k01', answer(1000), 60_000);
  lru.set('k02', answer(1000), 60_000);
  assert.ok(lru.get('k00'), 'touch k00: k01 is now the least recently used');
  lru.set('k03', answer(1000), 60_000);
  assert.equal(lru.get('k01'), undefined);
  assert.ok(lru.get('k00'));
  assert.ok(lru.get('k03'));
  for (let i = 10; i < 200; i++) {
    lru.set(`k${i}`, answer(200 + (i % 7) * 300), 60_000);
    assert.ok(lru.bytesUsed() <= one * 3, `over the bound after ${i}: ${lru.bytesUsed()}`);
  }
  assert.ok(lru.size() >= 1);
});

test('an answer larger than the whole bound is not stored and evicts nothing', () => {
  const lru = new LruBackend(5_000);
  lru.set('small', answer(100), 60_000);
  lru.set('huge', answer(10_000), 60_000);
  assert.equal(lru.get('huge'), undefined);
  assert.ok(lru.get('small'));
});

test('TTL expiry with an injected clock, and its bytes are given back', () => {
  let now = 1_000;
  const lru = new LruBackend(1 << 20, () => now);
  lru.set('a', answer(100), 5_000);
  now += 4_999;
  assert.ok(lru.get('a'));
  now += 1;
  assert.equal(lru.get('a'), undefined);
  assert.equal(lru.bytesUsed(), 0);
  assert.equal(lru.size(), 0);
});

test('replacing a key counts its bytes once', () => {
  const lru = new LruBackend(1 << 20);
  lru.set('a', answer(100), 5_000);
  const used = lru.bytesUsed();
  lru.set('a', answer(100), 5_000);
  assert.equal(lru.bytesUsed(), used);
});

test('a stored body is an exact-size copy, never a view that keeps a larger buffer alive', () => {
  const lru = new LruBackend(1 << 20);
  const big = Buffer.alloc(64 * 1024, 0x62);
  lru.set('v', { ...answer(0), body: big.subarray(0, 10) }, 5_000);
  const got = lru.get('v');
  assert.equal(got?.body.toString(), 'bbbbbbbbbb');
  assert.equal(got?.body.buffer.byteLength, 10);
});
