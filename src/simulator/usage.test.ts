import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodingForModel } from '../domain/metering/tokenizer.js';
import { findModel, listModels } from './models.js';
import { PromptCache, REASONING_TOKENS, applyOverride, cachedTokensFor, produceOutput } from './usage.js';
import { countChatPrompt } from './tokens.js';

const model = (id: string) => {
  const m = findModel(id);
  assert.ok(m, id);
  return m;
};

test('every simulated model uses the encoding the gateway meters it with', () => {
  for (const m of listModels()) assert.equal(m.encoding, encodingForModel(m.id), m.id);
});

test('chat prompt tokens: 3 per message + role + content (+ name + 1) + 3', () => {
  // "user" and "Hello" are one token each in o200k_base.
  assert.equal(countChatPrompt('gpt-4o', [{ role: 'user', text: 'Hello' }]), 3 + 3 + 1 + 1);
  assert.equal(
    countChatPrompt('gpt-4o', [{ role: 'system', text: 'Hello' }, { role: 'user', text: 'Hello', name: 'bob' }]),
    3 + (3 + 1 + 1) + (3 + 1 + 1 + 1 + 1),
  );
});

test('cached tokens: none under 1024, then 1024 plus whole 128-token steps', () => {
  assert.equal(cachedTokensFor(1023), 0);
  assert.equal(cachedTokensFor(1024), 1024);
  assert.equal(cachedTokensFor(1151), 1024);
  assert.equal(cachedTokensFor(1152), 1152);
  assert.equal(cachedTokensFor(5000), 1024 + 31 * 128);
});

test('the prompt cache remembers per model and forgets the oldest beyond its limit', () => {
  const cache = new PromptCache(2);
  assert.equal(cache.checkAndRemember('gpt-4o', 'a'), false);
  assert.equal(cache.checkAndRemember('gpt-4o', 'a'), true);
  assert.equal(cache.checkAndRemember('gpt-4o-mini', 'a'), false);
  assert.equal(cache.checkAndRemember('gpt-4o', 'b'), false);
  assert.equal(cache.checkAndRemember('gpt-4o', 'a'), false, 'forgotten: the oldest entry');
});

test('reasoning models spend reasoning tokens first, never more than the cap', () => {
  const text = 'one two three four five six seven eight nine ten';
  const plain = produceOutput(model('gpt-4o'), text, undefined);
  assert.equal(plain.reasoningTokens, 0);
  assert.equal(plain.truncated, false);

  const o3 = produceOutput(model('o3'), text, undefined);
  assert.equal(o3.reasoningTokens, REASONING_TOKENS);
  assert.equal(o3.text, text);

  const tight = produceOutput(model('o3'), text, 20);
  assert.equal(tight.reasoningTokens, 20);
  assert.equal(tight.tokens, 0);
  assert.equal(tight.text, '');
  assert.equal(tight.truncated, true);

  const some = produceOutput(model('gpt-5-mini'), text, REASONING_TOKENS + 3);
  assert.equal(some.reasoningTokens + some.tokens, REASONING_TOKENS + 3);
  assert.equal(some.text, 'one two three');
});

test('an override replaces only the numbers it names', () => {
  const computed = { promptTokens: 10, cachedTokens: 0, completionTokens: 20, reasoningTokens: 0 };
  assert.deepEqual(applyOverride(computed, undefined), computed);
  assert.deepEqual(applyOverride(computed, { cachedTokens: 4, completionTokens: 7 }),
    { promptTokens: 10, cachedTokens: 4, completionTokens: 7, reasoningTokens: 0 });
});
