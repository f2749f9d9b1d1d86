import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, pageBuckets } from './buckets.js';

test('buckets are laid from the page start at the width, the last one cut at the end', () => {
  const { buckets, next } = pageBuckets({ pageStart: 0, end: 3 * 86_400 - 600, widthSec: 86_400, limit: 7 });
  assert.deepEqual(buckets, [{ start: 0, end: 86_400 }, { start: 86_400, end: 172_800 }, { start: 172_800, end: 258_600 }]);
  assert.equal(next, null);
});

test('a page holds at most limit buckets and says where the next page starts', () => {
  const first = pageBuckets({ pageStart: 600, end: 600 + 5 * 3600, widthSec: 3600, limit: 2 });
  assert.deepEqual(first.buckets.map((b) => b.start), [600, 4200]);
  assert.equal(first.next, 7800);
  const last = pageBuckets({ pageStart: 600 + 4 * 3600, end: 600 + 5 * 3600, widthSec: 3600, limit: 2 });
  assert.equal(last.buckets.length, 1);
  assert.equal(last.next, null);
});

test('cursors round-trip and anything else is refused', () => {
  assert.deepEqual(decodeCursor(encodeCursor(1730419200, 1730505600)), { next: 1730419200, end: 1730505600 });
  assert.match(encodeCursor(60, 120), /^page_[A-Za-z0-9_-]+$/);
  assert.equal(decodeCursor('AAAA'), null);
  assert.equal(decodeCursor(`page_${Buffer.from('61:120').toString('base64url')}`), null);
  assert.equal(decodeCursor(`page_${Buffer.from('x:120').toString('base64url')}`), null);
});
