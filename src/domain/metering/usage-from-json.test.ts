import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageFromResponse, usageFromUsageObject } from './usage-from-json.js';

test('chat completion usage with details', () => {
  const body = {
    id: 'chatcmpl-1', object: 'chat.completion', choices: [],
    usage: {
      prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
  assert.deepEqual(usageFromResponse('chat.completions', body),
    { inputTokens: 1200, cachedInputTokens: 1024, outputTokens: 300, reasoningTokens: 128 });
  assert.deepEqual(usageFromResponse('completions', { usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } }),
    { inputTokens: 5, cachedInputTokens: 0, outputTokens: 7, reasoningTokens: 0 });
});

test('responses usage', () => {
  const body = {
    object: 'response',
    usage: {
      input_tokens: 328, input_tokens_details: { cached_tokens: 0 },
      output_tokens: 52, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 380,
    },
  };
  assert.deepEqual(usageFromResponse('responses', body),
    { inputTokens: 328, cachedInputTokens: 0, outputTokens: 52, reasoningTokens: 20 });
  // Chat field names do not count on the responses endpoint.
  assert.equal(usageFromResponse('responses', { usage: { prompt_tokens: 1, completion_tokens: 1 } }), undefined);
});

test('embeddings usage has no output', () => {
  assert.deepEqual(usageFromResponse('embeddings', { object: 'list', data: [], usage: { prompt_tokens: 8, total_tokens: 8 } }),
    { inputTokens: 8, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 });
});

test('missing or malformed usage is undefined; details are clamped', () => {
  for (const bad of [undefined, null, 5, 'x', [], {}, { usage: null }, { usage: { prompt_tokens: '5', completion_tokens: 1 } },
    { usage: { prompt_tokens: 5 } }, { usage: { prompt_tokens: -1, completion_tokens: 1 } }, { usage: { prompt_tokens: 1.5, completion_tokens: 1 } }]) {
    assert.equal(usageFromResponse('chat.completions', bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(usageFromUsageObject('chat.completions', {
    prompt_tokens: 10, completion_tokens: 4,
    prompt_tokens_details: { cached_tokens: 50 }, completion_tokens_details: { reasoning_tokens: 'many' },
  }), { inputTokens: 10, cachedInputTokens: 10, outputTokens: 4, reasoningTokens: 0 });
  assert.deepEqual(usageFromUsageObject('chat.completions', {
    prompt_tokens: 10, completion_tokens: 4, completion_tokens_details: { reasoning_tokens: 9 },
  }), { inputTokens: 10, cachedInputTokens: 0, outputTokens: 4, reasoningTokens: 4 });
});
