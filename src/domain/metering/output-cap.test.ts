import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, choiceCount, requestedOutputCap } from './output-cap.js';

test('chat reads max_completion_tokens before max_tokens', () => {
  assert.equal(requestedOutputCap('chat.completions', { max_completion_tokens: 100, max_tokens: 50 }), 100);
  assert.equal(requestedOutputCap('chat.completions', { max_tokens: 50 }), 50);
  assert.equal(requestedOutputCap('chat.completions', { max_completion_tokens: null, max_tokens: 50 }), 50);
  assert.equal(requestedOutputCap('chat.completions', {}), undefined);
  assert.equal(requestedOutputCap('chat.completions', { max_tokens: 0 }), 0);
});

test('responses reads max_output_tokens only; embeddings produce no output', () => {
  assert.equal(requestedOutputCap('responses', { max_output_tokens: 2048, max_tokens: 5 }), 2048);
  assert.equal(requestedOutputCap('responses', { max_tokens: 5 }), undefined);
  assert.equal(requestedOutputCap('embeddings', { max_tokens: 5 }), 0);
});

test('completions default to OpenAI\'s 16-token cap', () => {
  assert.equal(requestedOutputCap('completions', {}), COMPLETIONS_DEFAULT_MAX_TOKENS);
  assert.equal(requestedOutputCap('completions', { max_tokens: null }), 16);
  assert.equal(requestedOutputCap('completions', { max_tokens: 300 }), 300);
});

test('non-integer, negative or non-number caps are undefined', () => {
  for (const bad of [1.5, -1, '100', true, {}, Number.NaN, Infinity, 2 ** 60]) {
    assert.equal(requestedOutputCap('chat.completions', { max_tokens: bad }), undefined, String(bad));
    assert.equal(requestedOutputCap('chat.completions', { max_completion_tokens: bad, max_tokens: 10 }), undefined);
    assert.equal(requestedOutputCap('responses', { max_output_tokens: bad }), undefined);
    assert.equal(requestedOutputCap('completions', { max_tokens: bad }), undefined);
  }
});

test('choiceCount: n, best_of for completions, 1 otherwise', () => {
  assert.equal(choiceCount('chat.completions', {}), 1);
  assert.equal(choiceCount('chat.completions', { n: 4 }), 4);
  assert.equal(choiceCount('chat.completions', { n: null }), 1);
  assert.equal(choiceCount('chat.completions', { best_of: 9 }), 1);
  assert.equal(choiceCount('completions', { n: 2, best_of: 5 }), 5);
  assert.equal(choiceCount('completions', { n: 3, best_of: 1 }), 3);
  assert.equal(choiceCount('responses', { n: 3 }), 1);
  assert.equal(choiceCount('embeddings', { n: 3 }), 1);
  for (const bad of [0, -2, 1.5, '3']) assert.equal(choiceCount('chat.completions', { n: bad }), 1);
});
