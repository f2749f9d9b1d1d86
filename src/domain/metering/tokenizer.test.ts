import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseModelName, countTextTokens, encodingForModel, preloadTokenizer } from './tokenizer.js';

test('maps models to encodings', () => {
  const o200k = [
    'gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-4.1-nano', 'gpt-4.5-preview', 'gpt-5', 'gpt-5.2-pro', 'o1', 'o1-mini',
    'o3-mini', 'o4-mini', 'chatgpt-4o-latest', 'codex-mini-latest', 'gpt-realtime', 'gpt-6-turbo', 'some-future-model',
    'ft:gpt-4o-mini-2024-07-18:acme::AbC123', 'openai/gpt-4o',
  ];
  const cl100k = [
    'gpt-4', 'gpt-4-0613', 'gpt-4-turbo', 'gpt-4-32k', 'gpt-4-1106-preview', 'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct',
    'gpt-35-turbo', 'text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002', 'davinci-002',
    'babbage-002', 'ft:gpt-3.5-turbo-0125:acme::xyz', 'GPT-4',
  ];
  for (const model of o200k) assert.equal(encodingForModel(model), 'o200k_base', model);
  for (const model of cl100k) assert.equal(encodingForModel(model), 'cl100k_base', model);
});

test('baseModelName strips decorations', () => {
  assert.equal(baseModelName('ft:gpt-4o-mini-2024-07-18:acme::AbC'), 'gpt-4o-mini-2024-07-18');
  assert.equal(baseModelName(' OpenAI/GPT-4o '), 'gpt-4o');
  assert.equal(baseModelName('ft:'), '');
});

test('counts exactly with the model encoding', () => {
  // Published cl100k_base encoding of this sentence: [83, 1609, 5963, 374, 2294, 0].
  assert.equal(countTextTokens('gpt-4', 'tiktoken is great!'), 6);
  assert.equal(countTextTokens('gpt-4o', 'hello world'), 2);
  assert.equal(countTextTokens('gpt-4o', ''), 0);
  // o200k_base packs non-Latin scripts more tightly than cl100k_base.
  const hindi = 'नमस्ते, आप कैसे हैं? मैं ठीक हूँ।';
  assert.ok(countTextTokens('gpt-4o', hindi) < countTextTokens('gpt-4', hindi));
});

test('special-token text in user input is counted as plain text, never thrown on', () => {
  for (const model of ['gpt-4o', 'gpt-4', 'text-embedding-3-small']) {
    const text = 'a <|endoftext|> b <|im_start|>user<|im_sep|> <|fim_prefix|> <|endofprompt|>';
    const count = countTextTokens(model, text);
    assert.ok(count > 10, `${model}: ${count}`);
    // As plain text "<|endoftext|>" costs several tokens, not the single special token.
    assert.ok(countTextTokens(model, '<|endoftext|>') > 1);
  }
});

test('lone surrogates and large inputs do not throw', () => {
  assert.ok(countTextTokens('gpt-4o', '\ud800 x \udfff') > 0);
  const big = 'lorem ipsum dolor sit amet '.repeat(20_000);
  assert.ok(countTextTokens('gpt-4o', big) > 50_000);
});

test('preloadTokenizer reports the encoding it loaded', () => {
  assert.equal(preloadTokenizer('gpt-4o-mini'), 'o200k_base');
  assert.equal(preloadTokenizer('gpt-3.5-turbo'), 'cl100k_base');
});
