import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addOutputFile, emptyBatchUsage } from './batch-usage.js';

const line = (usage: unknown) => JSON.stringify({ id: 'r', custom_id: 'c', response: { status_code: 200, body: { usage } }, error: null });

test('sums prompt, cached, completion and reasoning tokens across lines split anywhere in the stream', async () => {
  const text = [
    line({ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } }),
    line({ prompt_tokens: 7, completion_tokens: 3 }),
    JSON.stringify({ id: 'e', custom_id: 'x', response: { status_code: 400, body: { error: { message: 'bad' } } }, error: null }),
    'not json',
  ].join('\n');
  const bytes = Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += 13) yield bytes.subarray(i, i + 13);
  }
  const into = emptyBatchUsage();
  await addOutputFile('chat.completions', chunks(), into);
  assert.deepEqual(into.tokens, { inputTokens: 17, cachedInputTokens: 4, outputTokens: 8, reasoningTokens: 2 });
  assert.equal(into.lines, 2);
  assert.equal(into.withoutUsage, 2);
});

test('responses usage uses input_tokens / output_tokens', async () => {
  const into = emptyBatchUsage();
  async function* one() { yield Buffer.from(line({ input_tokens: 9, output_tokens: 4, input_tokens_details: { cached_tokens: 0 } }) + '\n'); }
  await addOutputFile('responses', one(), into);
  assert.deepEqual(into.tokens, { inputTokens: 9, cachedInputTokens: 0, outputTokens: 4, reasoningTokens: 0 });
});
