import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriceBook } from './price-book.js';
import { PriceFormatError } from './price.js';
import type { Price } from './price.js';

const JAN = Date.UTC(2026, 0, 1);
const FEB = Date.UTC(2026, 1, 1);
const MAR = Date.UTC(2026, 2, 1);

function row(model: string, effectiveFrom: number, inputPerToken: bigint): Price {
  return {
    model, effectiveFrom, inputPerToken, cachedInputPerToken: inputPerToken, outputPerToken: 4n * inputPerToken,
    maxOutputTokens: 4096, maxInputTokens: 128000, mode: 'chat',
  };
}

test('lookup picks the newest row with effectiveFrom <= at, in any input order', () => {
  const book = new PriceBook([row('gpt-4o', MAR, 3n), row('gpt-4o', JAN, 1n), row('gpt-4o', FEB, 2n)]);
  assert.equal(book.lookup('gpt-4o', JAN - 1), undefined);
  assert.equal(book.lookup('gpt-4o', JAN)?.inputPerToken, 1n);
  assert.equal(book.lookup('gpt-4o', FEB - 1)?.inputPerToken, 1n);
  assert.equal(book.lookup('gpt-4o', FEB)?.inputPerToken, 2n);
  assert.equal(book.lookup('gpt-4o', MAR + 86_400_000)?.inputPerToken, 3n);
  assert.equal(book.lookup('gpt-4o', Number.NaN), undefined);
});

test('lookup uses exact ids only: a dated snapshot or a base name is never guessed', () => {
  const book = new PriceBook([row('gpt-4o', JAN, 1n), row('gpt-4o-2024-08-06', JAN, 2n)]);
  assert.equal(book.lookup('gpt-4o-2024-11-20', FEB), undefined);
  assert.equal(book.lookup('gpt-4o-mini', FEB), undefined);
  assert.equal(book.lookup('GPT-4O', FEB), undefined);
  assert.equal(book.lookup('gpt-4o-2024-08-06', FEB)?.inputPerToken, 2n);
});

test('lookup falls back to the "*" default row, itself versioned, when the model has no row in effect', () => {
  const book = new PriceBook([row('*', JAN, 7n), row('*', MAR, 8n), row('gpt-4o', FEB, 1n)]);
  assert.deepEqual(book.lookup('unknown-model', FEB), row('*', JAN, 7n));
  assert.equal(book.lookup('unknown-model', MAR)?.inputPerToken, 8n);
  assert.equal(book.lookup('unknown-model', JAN - 1), undefined);
  // gpt-4o's own row is not in effect yet in January: the default applies.
  assert.equal(book.lookup('gpt-4o', JAN)?.model, '*');
  assert.equal(book.lookup('gpt-4o', FEB)?.model, 'gpt-4o');
});

test('without a default row an unpriced model is undefined (fail closed)', () => {
  assert.equal(new PriceBook([row('gpt-4o', JAN, 1n)]).lookup('o3', FEB), undefined);
  assert.equal(new PriceBook([]).lookup('gpt-4o', FEB), undefined);
});

test('models lists distinct priced ids without the default', () => {
  const book = new PriceBook([row('o3', JAN, 1n), row('*', JAN, 1n), row('gpt-4o', JAN, 1n), row('gpt-4o', FEB, 2n)]);
  assert.deepEqual(book.models(), ['gpt-4o', 'o3']);
  assert.deepEqual(new PriceBook([row('*', JAN, 1n)]).models(), []);
});

test('the book is isolated from its input rows and from what lookup returns', () => {
  const rows = [row('gpt-4o', JAN, 1n)];
  const book = new PriceBook(rows);
  if (rows[0] !== undefined) rows[0].inputPerToken = 999n;
  const found = book.lookup('gpt-4o', FEB);
  assert.equal(found?.inputPerToken, 1n);
  if (found !== undefined) found.inputPerToken = 555n;
  assert.equal(book.lookup('gpt-4o', FEB)?.inputPerToken, 1n);
});

test('the constructor refuses two rows for one model at the same time, and invalid rows', () => {
  assert.throws(() => new PriceBook([row('gpt-4o', JAN, 1n), row('gpt-4o', JAN, 2n)]), PriceFormatError);
  assert.throws(() => new PriceBook([row('gpt-4o', JAN, -1n)]), PriceFormatError);
  assert.throws(() => new PriceBook([{ ...row('gpt-4o', JAN, 1n), cachedInputPerToken: 2n }]), PriceFormatError);
  // Same time for different models is fine.
  assert.equal(new PriceBook([row('gpt-4o', JAN, 1n), row('o3', JAN, 2n)]).models().length, 2);
});
