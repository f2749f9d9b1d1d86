import { test } from 'node:test';
import assert from 'node:assert/strict';
import catalogJson from './builtin-catalog.json' with { type: 'json' };
import { builtinPrices } from './catalog.js';
import { catalogFromLiteLlm, catalogToPrices, takenOnToEpochMs } from './catalog-format.js';
import { parseLiteLlmPrices } from './litellm-import.js';
import { PriceBook } from './price-book.js';
import { picoPerTokenToUsdPerMillion, usdPerMillionToPicoPerToken } from './price.js';
import { costOf } from './cost.js';
import { decimalToScaledBigint, numberToDecimalString, scaledBigintToDecimal } from '../money/decimal.js';

const TAKEN_ON_MS = Date.UTC(2026, 6, 1);

test('the built-in catalog was taken on 2026-07-01 and its rows take effect then', () => {
  assert.equal(catalogJson.takenOn, '2026-07-01');
  const prices = builtinPrices();
  assert.ok(prices.length >= 50, `expected a full catalog, got ${prices.length} rows`);
  for (const p of prices) assert.equal(p.effectiveFrom, TAKEN_ON_MS);
});

test('built-in prices match OpenAI list prices', () => {
  const book = new PriceBook(builtinPrices());
  const at = TAKEN_ON_MS;
  const expect = (model: string, input: bigint, cached: bigint, output: bigint, mode: string): void => {
    const p = book.lookup(model, at);
    assert.ok(p, `${model} is priced`);
    assert.deepEqual([p.inputPerToken, p.cachedInputPerToken, p.outputPerToken, p.mode], [input, cached, output, mode], model);
  };
  expect('gpt-4o', 2_500_000n, 1_250_000n, 10_000_000n, 'chat');
  expect('gpt-4o-mini', 150_000n, 75_000n, 600_000n, 'chat');
  expect('gpt-4.1', 2_000_000n, 500_000n, 8_000_000n, 'chat');
  expect('o3', 2_000_000n, 500_000n, 8_000_000n, 'chat');
  expect('gpt-5', 1_250_000n, 125_000n, 10_000_000n, 'chat');
  expect('gpt-5-nano', 50_000n, 5_000n, 400_000n, 'chat');
  expect('o1-pro', 150_000_000n, 150_000_000n, 600_000_000n, 'responses');
  expect('gpt-3.5-turbo-instruct', 1_500_000n, 1_500_000n, 2_000_000n, 'completion');
  expect('text-embedding-3-large', 130_000n, 130_000n, 0n, 'embedding');
  expect('text-embedding-3-small', 20_000n, 20_000n, 0n, 'embedding');
  assert.equal(book.lookup('gpt-4o', at)?.maxOutputTokens, 16384);
  assert.equal(book.lookup('gpt-4o', at)?.maxInputTokens, 128000);
  assert.equal(book.lookup('gpt-4o', at - 1), undefined, 'no built-in price before the catalog date');
});

test('the documented gpt-4o example costs 2_750_000_000 pico-credits', () => {
  const gpt4o = new PriceBook(builtinPrices()).lookup('gpt-4o', TAKEN_ON_MS);
  assert.ok(gpt4o);
  assert.equal(costOf({ inputTokens: 1000, cachedInputTokens: 200, outputTokens: 50, reasoningTokens: 0 }, gpt4o), 2_750_000_000n);
});

test('every built-in price string round-trips exactly, also through the LiteLLM per-token float', () => {
  let checked = 0;
  for (const row of catalogJson.models) {
    for (const text of [row.input, row.cachedInput, row.output]) {
      if (text === null) continue;
      const pico = usdPerMillionToPicoPerToken(text);
      assert.equal(picoPerTokenToUsdPerMillion(pico), text, `${row.model} ${text}`);
      // As LiteLLM stores it: USD per token, a float.
      const perTokenFloat = Number(scaledBigintToDecimal(pico, 12));
      assert.equal(decimalToScaledBigint(numberToDecimalString(perTokenFloat), 12), pico, `${row.model} ${text} via float`);
      checked++;
    }
  }
  assert.ok(checked >= 3 * 50);
});

test('the built-in catalog holds only bare OpenAI text models Tollgate can meter', () => {
  const prices = builtinPrices();
  const ids = prices.map((p) => p.model);
  assert.equal(new Set(ids).size, ids.length, 'one row per model');
  for (const p of prices) {
    assert.doesNotMatch(p.model, /\/|^ft:|audio|realtime|tts|transcribe|whisper|moderation|dall-e|image|search|sora/, p.model);
    assert.ok(['chat', 'completion', 'embedding', 'responses'].includes(p.mode));
    assert.ok(p.cachedInputPerToken <= p.inputPerToken);
    assert.ok(p.mode === 'embedding' ? p.outputPerToken === 0n : p.outputPerToken > 0n, p.model);
    assert.ok(p.mode === 'embedding' || (p.maxOutputTokens ?? 0) > 0, `${p.model} has an output cap for holds`);
  }
  // Every skipped entry says why.
  for (const s of catalogJson.skipped) assert.ok(s.reason.length > 0);
  assert.ok(catalogJson.skipped.some((s) => s.model === 'gpt-audio'));
});

test('builtinPrices returns fresh objects', () => {
  const first = builtinPrices();
  const row = first[0];
  assert.ok(row);
  row.inputPerToken = 0n;
  assert.notEqual(builtinPrices()[0]?.inputPerToken, 0n);
});

const catalog = {
  source: 'test', providers: ['openai'], takenOn: '2026-07-01', unit: 'USD per 1M tokens',
  models: [{ model: 'm', mode: 'chat', input: '2.5', cachedInput: null, output: '10', maxInputTokens: 1000, maxOutputTokens: 100 }],
  skipped: [],
};

test('catalogToPrices converts a catalog and refuses malformed ones', () => {
  assert.deepEqual(catalogToPrices(catalog), [{
    model: 'm', effectiveFrom: TAKEN_ON_MS, inputPerToken: 2_500_000n, cachedInputPerToken: 2_500_000n,
    outputPerToken: 10_000_000n, maxOutputTokens: 100, maxInputTokens: 1000, mode: 'chat',
  }]);
  const model = catalog.models[0];
  assert.ok(model);
  const broken: unknown[] = [
    null,
    { ...catalog, takenOn: 'July 1st' },
    { ...catalog, unit: 'USD per token' },
    { ...catalog, models: [{ ...model, input: 2.5 }] },
    { ...catalog, models: [{ ...model, input: '-1' }] },
    { ...catalog, models: [{ ...model, input: '2.5e-6' }] },
    { ...catalog, models: [{ ...model, mode: 'image' }] },
    { ...catalog, models: [{ ...model, maxOutputTokens: 0 }] },
    { ...catalog, models: [{ ...model, extra: true }] },
  ];
  for (const doc of broken) assert.throws(() => catalogToPrices(doc));
  assert.throws(() => catalogToPrices({ ...catalog, models: [{ ...model, input: '0.0000001' }] }), /finer than 1e-12/);
  assert.throws(() => takenOnToEpochMs('2026-13-45'), RangeError);
});

test('catalogFromLiteLlm writes exact USD-per-1M strings that convert back to the imported prices', () => {
  const litellm = {
    'gpt-b': { input_cost_per_token: 1.1e-6, cache_read_input_token_cost: 2.75e-7, output_cost_per_token: 4.4e-6,
      litellm_provider: 'openai', mode: 'chat', max_input_tokens: 200000, max_output_tokens: 100000 },
    'gpt-a': { input_cost_per_token: 5e-8, output_cost_per_token: 4e-7, litellm_provider: 'openai', mode: 'responses', max_output_tokens: 10 },
    'gpt-audio-x': { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6, input_cost_per_audio_token: 1e-5,
      litellm_provider: 'openai', mode: 'chat' },
    'claude-x': { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, litellm_provider: 'anthropic', mode: 'chat' },
  };
  const built = catalogFromLiteLlm(litellm, '2026-07-01', 'fixture');
  assert.deepEqual(built.models, [
    { model: 'gpt-a', mode: 'responses', input: '0.05', cachedInput: null, output: '0.4', maxInputTokens: null, maxOutputTokens: 10 },
    { model: 'gpt-b', mode: 'chat', input: '1.1', cachedInput: '0.275', output: '4.4', maxInputTokens: 200000, maxOutputTokens: 100000 },
  ]);
  assert.deepEqual(built.skipped.map((s) => s.model), ['gpt-audio-x'], 'other providers are not listed');
  const imported = parseLiteLlmPrices(litellm, TAKEN_ON_MS).prices;
  const byModel = (a: { model: string }, b: { model: string }): number => a.model.localeCompare(b.model);
  assert.deepEqual(catalogToPrices(built).sort(byModel), imported.sort(byModel));
});
