import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPromptTokens } from './prompt-tokens.js';
import { countTextTokens } from './tokenizer.js';
import { audioTokens, fileTokens, imageTokens } from './media-allowance.js';

const tok = (text: string, model = 'gpt-4o'): number => countTextTokens(model, text);

// OpenAI cookbook "How to count tokens with tiktoken": the prompt_tokens the API reported for these messages.
const COOKBOOK_MESSAGES = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

test('chat: matches the prompt_tokens OpenAI reported for the cookbook example', () => {
  assert.equal(countPromptTokens('chat.completions', 'gpt-3.5-turbo', { messages: COOKBOOK_MESSAGES }), 129);
  assert.equal(countPromptTokens('chat.completions', 'gpt-4-0613', { messages: COOKBOOK_MESSAGES }), 129);
  assert.equal(countPromptTokens('chat.completions', 'gpt-4o', { messages: COOKBOOK_MESSAGES }), 124);
  assert.equal(countPromptTokens('chat.completions', 'gpt-4o-mini', { messages: COOKBOOK_MESSAGES }), 124);
});

test('chat: per-message overhead, names and reply priming', () => {
  const one = countPromptTokens('chat.completions', 'gpt-4o', { messages: [{ role: 'user', content: 'Hello there' }] });
  assert.equal(one, 3 + tok('user') + tok('Hello there') + 3);
  const named = countPromptTokens('chat.completions', 'gpt-4o', {
    messages: [{ role: 'user', name: 'bob', content: 'Hello there' }],
  });
  assert.equal(named, one + tok('bob') + 1);
});

test('chat: content parts, media allowances, tool calls, tools and schema', () => {
  const base = { role: 'user' };
  const parts = countPromptTokens('chat.completions', 'gpt-4o', {
    messages: [{
      ...base,
      content: [
        { type: 'text', text: 'What is in this image?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        { type: 'input_audio', input_audio: { data: 'A'.repeat(400_000), format: 'wav' } },
        { type: 'file', file: { file_id: 'file-1' } },
      ],
    }],
  });
  assert.equal(parts, 3 + tok('user') + tok('What is in this image?') + 85 + 765 + audioTokens('A'.repeat(400_000)) + 1000 + 3);
  assert.equal(audioTokens('A'.repeat(400_000)), 375);

  const call = { name: 'get_weather', arguments: '{"city":"Paris"}' };
  const withCalls = countPromptTokens('chat.completions', 'gpt-4o', {
    messages: [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: call }] },
      { role: 'tool', tool_call_id: 'call_1', content: '22C' },
      { role: 'assistant', content: null, function_call: call },
    ],
  });
  assert.equal(withCalls,
    (3 + tok('assistant') + 3 + tok('get_weather') + tok('{"city":"Paris"}'))
    + (3 + tok('tool') + tok('22C'))
    + (3 + tok('assistant') + 3 + tok('get_weather') + tok('{"city":"Paris"}'))
    + 3);

  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const schema = { name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } };
  const messages = [{ role: 'user', content: 'hi' }];
  const plain = countPromptTokens('chat.completions', 'gpt-4o', { messages });
  const full = countPromptTokens('chat.completions', 'gpt-4o', {
    messages, tools, response_format: { type: 'json_schema', json_schema: schema },
  });
  assert.equal(full, plain + tok(JSON.stringify(tools)) + tok(JSON.stringify(schema)));
});

test('chat: media allowances depend on the model family', () => {
  const body = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x', detail: 'high' } }] }] };
  const overhead = 3 + tok('user') + 3;
  assert.equal(countPromptTokens('chat.completions', 'gpt-4o-mini', body) - overhead, imageTokens('gpt-4o-mini', 'high'));
  assert.equal(imageTokens('gpt-4o-mini', 'high'), 25_501);
  assert.equal(imageTokens('gpt-4o-mini-2024-07-18', 'low'), 2833);
  assert.equal(imageTokens('gpt-4o', 'auto'), 765);
  assert.equal(imageTokens('gpt-4.1-mini', 'low'), 2489);
  assert.equal(fileTokens('data:application/pdf;base64,' + 'A'.repeat(4000)), 1000 + 30);
});

test('responses: instructions, string input, items and tools', () => {
  const simple = countPromptTokens('responses', 'gpt-4o', { instructions: 'Be brief.', input: 'Hi!' });
  assert.equal(simple, (3 + tok('developer') + tok('Be brief.')) + (3 + tok('user') + tok('Hi!')) + 3);

  const items = countPromptTokens('responses', 'gpt-4o', {
    input: [
      { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'low' }] },
      { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'c1', output: '22C' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It is 22C.', annotations: [] }] },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: 'zzz' },
      { type: 'item_reference', id: 'msg_1' },
    ],
    tools: [{ type: 'function', name: 'get_weather', parameters: {} }],
    text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } },
  });
  assert.equal(items,
    (3 + tok('user') + tok('Weather?') + 85)
    + (3 + tok('get_weather') + tok('{"city":"Paris"}'))
    + (3 + tok('22C'))
    + (3 + tok('assistant') + tok('It is 22C.'))
    + tok('Thinking.')
    + 3
    + tok(JSON.stringify([{ type: 'function', name: 'get_weather', parameters: {} }]))
    + tok(JSON.stringify({ type: 'json_schema', name: 'x', schema: { type: 'object' } })));
});

test('responses: other item types count their text leaves, not ids or data URLs', () => {
  const count = countPromptTokens('responses', 'gpt-4o', {
    input: [{ type: 'computer_call_output', call_id: 'c9', id: 'x', output: { type: 'computer_screenshot', image_url: 'data:image/png;base64,' + 'A'.repeat(100_000) } }],
  });
  // item overhead + the screenshot as a high-detail image + reply priming; ids and type names are not text.
  assert.equal(count, 3 + 765 + 3);
});

test('completions and embeddings: strings, token arrays and batches', () => {
  const m = 'gpt-3.5-turbo-instruct';
  assert.equal(countPromptTokens('completions', m, { prompt: 'Say this is a test' }), tok('Say this is a test', m));
  assert.equal(countPromptTokens('completions', m, { prompt: ['a b', 'c d e'] }), tok('a b', m) + tok('c d e', m));
  assert.equal(countPromptTokens('completions', m, { prompt: [1, 2, 3] }), 3);
  assert.equal(countPromptTokens('completions', m, { prompt: [[1, 2], [3]] }), 3);
  assert.equal(countPromptTokens('completions', m, { prompt: 'x', suffix: ' end' }), tok('x', m) + tok(' end', m));
  const e = 'text-embedding-3-small';
  assert.equal(countPromptTokens('embeddings', e, { input: 'The food was delicious' }), tok('The food was delicious', e));
  assert.equal(countPromptTokens('embeddings', e, { input: ['one', 'two three'] }), tok('one', e) + tok('two three', e));
  assert.equal(countPromptTokens('embeddings', e, { input: [[1, 2, 3], [4, 5]] }), 5);
  assert.equal(countPromptTokens('embeddings', e, { input: [10, 20] }), 2);
});

test('malformed bodies never throw', () => {
  const junk: unknown[] = [
    null, 1, 'str', true, [], {}, [null], [1, 'a', [2], { role: 7 }], { content: { nested: true } },
    [{ role: 'user', content: [null, 5, { type: 'image_url' }, { type: 'input_audio', input_audio: 3 }, { type: 'file' }] }],
    [{ type: 'function_call', name: 5, arguments: {} }, { type: 'unknown_thing', deep: { a: [{ b: 'text' }] } }],
  ];
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  const fields = ['messages', 'input', 'prompt', 'tools', 'functions', 'instructions', 'response_format', 'text', 'tool_choice'];
  for (const endpoint of ['chat.completions', 'responses', 'completions', 'embeddings'] as const) {
    for (const value of [...junk, cyclic]) {
      for (const field of fields) {
        const n = countPromptTokens(endpoint, 'gpt-4o', { [field]: value });
        assert.ok(Number.isSafeInteger(n) && n >= 0, `${endpoint} ${field}`);
      }
    }
  }
});
