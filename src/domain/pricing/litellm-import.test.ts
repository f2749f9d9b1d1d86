import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteLlmFormatError, parseLiteLlmPrices } from './litellm-import.js';
import type { LiteLlmImport } from './litellm-import.js';

const AT = Date.UTC(2026, 6, 1);

// Shaped like LiteLLM's model_prices_and_context_window.json, including its exponent-form floats.
const document: unknown = JSON.parse(`{
  "sample_spec": { "input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat" },
  "gpt-4o": { "cache_read_input_token_cost": 1.25e-06, "input_cost_per_token": 2.5e-06, "input_cost_per_token_batches": 1.25e-06,
    "litellm_provider": "openai", "max_input_tokens": 128000, "max_output_tokens": 16384, "max_tokens": 16384, "mode": "chat",
    "output_cost_per_token": 1e-05, "output_cost_per_token_priority": 1.7e-05, "supports_vision": true },
  "gpt-5-nano": { "cache_read_input_token_cost": 5e-09, "input_cost_per_token": 5e-08, "litellm_provider": "openai",
    "max_input_tokens": 272000, "max_output_tokens": 128000, "mode": "chat", "output_cost_per_token": 4e-07 },
  "gpt-3.5-turbo-instruct": { "input_cost_per_token": 1.5e-06, "litellm_provider": "text-completion-openai",
    "max_input_tokens": 8192, "max_tokens": 4096, "mode": "completion", "output_cost_per_token": 2e-06 },
  "text-embedding-3-small": { "input_cost_per_token": 2e-08, "litellm_provider": "openai", "max_input_tokens": 8191,
    "max_tokens": 8191, "mode": "embedding", "output_cost_per_token": 0.0 },
  "text-embedding-ada-002": { "input_cost_per_token": 1e-07, "litellm_provider": "openai", "max_tokens": 8191, "mode": "embedding" },
  "gpt-5.4": { "cache_read_input_token_cost": 2.5e-07, "cache_read_input_token_cost_above_272k_tokens": 5e-07,
    "input_cost_per_token": 2.5e-06, "input_cost_per_token_above_272k_tokens": 5e-06, "litellm_provider": "openai",
    "max_input_tokens": 1050000, "max_output_tokens": 128000, "mode": "chat", "output_cost_per_token": 1.5e-05,
    "output_cost_per_token_above_272k_tokens": 2.25e-05 },
  "o3-pro": { "input_cost_per_token": 2e-05, "litellm_provider": "openai", "max_input_tokens": 200000,
    "max_output_tokens": 100000, "mode": "responses", "output_cost_per_token": 8e-05 },
  "claude-sonnet-4-5": { "input_cost_per_token": 3e-06, "litellm_provider": "anthropic", "mode": "chat", "output_cost_per_token": 1.5e-05 },
  "azure/gpt-4o": { "input_cost_per_token": 2.5e-06, "litellm_provider": "azure", "mode": "chat", "output_cost_per_token": 1e-05 },
  "openai/gpt-4o": { "input_cost_per_token": 2.5e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-05 },
  "ft:gpt-4o-2024-08-06": { "input_cost_per_token": 3.75e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1.5e-05 },
  "dall-e-3": { "input_cost_per_pixel": 3.81469e-08, "litellm_provider": "openai", "mode": "image_generation", "output_cost_per_pixel": 0.0 },
  "tts-1": { "input_cost_per_character": 1.5e-05, "litellm_provider": "openai", "mode": "audio_speech" },
  "gpt-audio": { "input_cost_per_audio_token": 3.2e-05, "input_cost_per_token": 2.5e-06, "litellm_provider": "openai",
    "mode": "chat", "output_cost_per_audio_token": 6.4e-05, "output_cost_per_token": 1e-05 },
  "gpt-4o-search-preview": { "input_cost_per_token": 2.5e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-05 },
  "gpt-cache-writes": { "cache_creation_input_token_cost": 6.25e-06, "input_cost_per_token": 5e-06, "litellm_provider": "openai",
    "mode": "chat", "output_cost_per_token": 3e-05 },
  "tiny-price": { "input_cost_per_token": 1.5e-13, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-06 },
  "no-output-price": { "input_cost_per_token": 1e-06, "litellm_provider": "openai", "mode": "chat" },
  "negative": { "input_cost_per_token": -1e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-06 },
  "string-price": { "input_cost_per_token": "cheap", "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-06 },
  "cache-above-input": { "cache_read_input_token_cost": 2e-06, "input_cost_per_token": 1e-06, "litellm_provider": "openai",
    "mode": "chat", "output_cost_per_token": 1e-06 },
  "reasoning-apart": { "input_cost_per_token": 1e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 2e-06,
    "output_cost_per_reasoning_token": 4e-06 },
  "bad-limit": { "input_cost_per_token": 1e-06, "litellm_provider": "openai", "mode": "chat", "output_cost_per_token": 1e-06,
    "max_output_tokens": "lots" },
  "no-mode": { "input_cost_per_token": 1e-06, "litellm_provider": "openai", "output_cost_per_token": 1e-06 },
  "no-provider": { "input_cost_per_token": 1e-06, "mode": "chat", "output_cost_per_token": 1e-06 },
  "not-an-object": 42,
  "null-entry": null
}`);

function reasonFor(result: LiteLlmImport, model: string): string | undefined {
  return result.skipped.find((s) => s.model === model)?.reason;
}

test('imports OpenAI entries exactly from LiteLLM floats', () => {
  const result = parseLiteLlmPrices(document, AT);
  const byModel = new Map(result.prices.map((p) => [p.model, p]));
  assert.deepEqual(byModel.get('gpt-4o'), {
    model: 'gpt-4o', effectiveFrom: AT, inputPerToken: 2_500_000n, cachedInputPerToken: 1_250_000n,
    outputPerToken: 10_000_000n, maxOutputTokens: 16384, maxInputTokens: 128000, mode: 'chat',
  });
  assert.deepEqual(byModel.get('gpt-5-nano'), {
    model: 'gpt-5-nano', effectiveFrom: AT, inputPerToken: 50_000n, cachedInputPerToken: 5_000n,
    outputPerToken: 400_000n, maxOutputTokens: 128000, maxInputTokens: 272000, mode: 'chat',
  });
  assert.equal(byModel.get('o3-pro')?.mode, 'responses');
  assert.equal(byModel.get('o3-pro')?.cachedInputPerToken, 20_000_000n, 'no cached price: cached costs the input price');
});

test('legacy completions come from text-completion-openai, output cap falling back to max_tokens', () => {
  const price = parseLiteLlmPrices(document, AT).prices.find((p) => p.model === 'gpt-3.5-turbo-instruct');
  assert.deepEqual(price, {
    model: 'gpt-3.5-turbo-instruct', effectiveFrom: AT, inputPerToken: 1_500_000n, cachedInputPerToken: 1_500_000n,
    outputPerToken: 2_000_000n, maxOutputTokens: 4096, maxInputTokens: 8192, mode: 'completion',
  });
});

test('embeddings are input-only and have no output cap', () => {
  const prices = parseLiteLlmPrices(document, AT).prices;
  const small = prices.find((p) => p.model === 'text-embedding-3-small');
  assert.equal(small?.inputPerToken, 20_000n);
  assert.equal(small?.outputPerToken, 0n);
  assert.equal(small?.maxOutputTokens, null);
  assert.equal(small?.maxInputTokens, 8191);
  const ada = prices.find((p) => p.model === 'text-embedding-ada-002');
  assert.equal(ada?.outputPerToken, 0n, 'an embedding without output_cost_per_token is input-only');
  assert.equal(ada?.maxInputTokens, null);
});

test('a long-context tier caps maxInputTokens at its threshold, where the base prices stop holding', () => {
  const price = parseLiteLlmPrices(document, AT).prices.find((p) => p.model === 'gpt-5.4');
  assert.equal(price?.maxInputTokens, 272000);
  assert.equal(price?.inputPerToken, 2_500_000n);
  assert.equal(price?.outputPerToken, 15_000_000n);
});

test('skips other providers, prefixed ids, fine-tune templates and modes not billed per token', () => {
  const result = parseLiteLlmPrices(document, AT);
  const priced = result.prices.map((p) => p.model);
  for (const model of ['claude-sonnet-4-5', 'azure/gpt-4o', 'openai/gpt-4o', 'ft:gpt-4o-2024-08-06', 'dall-e-3', 'tts-1']) {
    assert.ok(!priced.includes(model), `${model} must not be priced`);
  }
  assert.equal(reasonFor(result, 'claude-sonnet-4-5'), 'provider "anthropic" not selected');
  assert.equal(reasonFor(result, 'azure/gpt-4o'), 'provider "azure" not selected');
  assert.match(reasonFor(result, 'openai/gpt-4o') ?? '', /prefixed id/);
  assert.match(reasonFor(result, 'ft:gpt-4o-2024-08-06') ?? '', /fine-tune template/);
  assert.match(reasonFor(result, 'dall-e-3') ?? '', /mode "image_generation"/);
  assert.match(reasonFor(result, 'tts-1') ?? '', /mode "audio_speech"/);
  assert.equal(result.skipped.find((s) => s.model === 'azure/gpt-4o')?.provider, 'azure');
});

test('skips entries with charges Tollgate cannot meter instead of undercharging', () => {
  const result = parseLiteLlmPrices(document, AT);
  assert.match(reasonFor(result, 'gpt-audio') ?? '', /audio tokens/);
  assert.match(reasonFor(result, 'gpt-4o-search-preview') ?? '', /built-in tools/);
  assert.match(reasonFor(result, 'gpt-cache-writes') ?? '', /cache writes cost more than input/);
  assert.match(reasonFor(result, 'reasoning-apart') ?? '', /reasoning tokens are priced apart/);
  assert.match(reasonFor(result, 'cache-above-input') ?? '', /cache_read_input_token_cost exceeds/);
});

test('skips prices not exact in pico-credits and garbage entries with a reason', () => {
  const result = parseLiteLlmPrices(document, AT);
  assert.equal(reasonFor(result, 'tiny-price'), 'input_cost_per_token 0.00000000000015 USD is not exact in pico-credits (1e-12)');
  assert.equal(reasonFor(result, 'no-output-price'), 'no output_cost_per_token');
  assert.equal(reasonFor(result, 'negative'), 'input_cost_per_token is negative');
  assert.equal(reasonFor(result, 'string-price'), 'input_cost_per_token is not a number');
  assert.equal(reasonFor(result, 'bad-limit'), 'max_output_tokens is not a non-negative integer');
  assert.equal(reasonFor(result, 'no-mode'), 'no mode');
  assert.equal(reasonFor(result, 'no-provider'), 'no litellm_provider');
  assert.equal(reasonFor(result, 'not-an-object'), 'entry is not an object');
  assert.equal(reasonFor(result, 'null-entry'), 'entry is not an object');
});

test('every entry but sample_spec ends up either priced or skipped, exactly once', () => {
  const result = parseLiteLlmPrices(document, AT);
  const seen = [...result.prices.map((p) => p.model), ...result.skipped.map((s) => s.model)].sort();
  const expected = Object.keys(document as Record<string, unknown>).filter((k) => k !== 'sample_spec').sort();
  assert.deepEqual(seen, expected);
  assert.equal(result.prices.length, 7);
});

test('the providers option selects which entries are imported', () => {
  const anthropic = parseLiteLlmPrices(document, AT, { providers: ['anthropic'] });
  assert.deepEqual(anthropic.prices.map((p) => p.model), ['claude-sonnet-4-5']);
  assert.equal(anthropic.prices[0]?.outputPerToken, 15_000_000n);
  const completions = parseLiteLlmPrices(document, AT, { providers: ['text-completion-openai'] });
  assert.deepEqual(completions.prices.map((p) => p.model), ['gpt-3.5-turbo-instruct']);
  assert.deepEqual(parseLiteLlmPrices(document, AT, { providers: [] }).prices, []);
});

test('numeric strings are accepted exactly; exponent strings too', () => {
  const result = parseLiteLlmPrices({
    'str-model': { input_cost_per_token: '2.5e-06', output_cost_per_token: '0.00001', litellm_provider: 'openai', mode: 'chat' },
  }, AT);
  assert.equal(result.prices[0]?.inputPerToken, 2_500_000n);
  assert.equal(result.prices[0]?.outputPerToken, 10_000_000n);
});

test('a document that is not an object of entries throws a LiteLlmFormatError', () => {
  for (const bad of [null, 42, 'text', [], [{ model: 'gpt-4o' }], undefined]) {
    assert.throws(() => parseLiteLlmPrices(bad, AT), LiteLlmFormatError);
  }
  assert.deepEqual(parseLiteLlmPrices({}, AT), { prices: [], skipped: [] });
  assert.throws(() => parseLiteLlmPrices({}, Number.NaN), RangeError);
});
