import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from './server.js';
import { LEGACY_DEFAULT_MAX_TOKENS } from './completions.js';
import { REASONING_TOKENS } from './usage.js';
import { call, post, sseFrames, sseJson } from './test-client.js';
import { countText } from './tokens.js';
import type { SimulatedUpstream } from './types.js';

let sim: SimulatedUpstream;
before(async () => { sim = await startSimulator(); });
after(async () => { await sim.close(); });

const user = (content: string) => ({ role: 'user', content });
const json = (text: string) => JSON.parse(text) as Record<string, any>;

describe('chat completions', () => {
  test('a plain answer has OpenAI’s shape, headers and usage', async () => {
    const res = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [user('Hello')] });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-tollgate-simulated'], 'true');
    assert.match(String(res.headers['x-request-id']), /^req_[0-9a-f]{32}$/);
    assert.match(String(res.headers['openai-processing-ms']), /^\d+$/);
    assert.equal(res.headers['openai-version'], '2020-10-01');
    assert.equal(res.headers['x-ratelimit-limit-requests'], '10000');
    assert.ok(res.headers['x-ratelimit-remaining-tokens']);
    assert.match(String(res.headers['content-type']), /^application\/json/);

    const body = json(res.text);
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.object, 'chat.completion');
    assert.equal(typeof body.created, 'number');
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.choices.length, 1);
    const [choice] = body.choices;
    assert.equal(choice.index, 0);
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.logprobs, null);
    assert.deepEqual(Object.keys(choice.message).sort(), ['annotations', 'content', 'refusal', 'role']);
    assert.equal(choice.message.role, 'assistant');
    assert.ok(choice.message.content.startsWith('[simulated] Simulated reply to: "Hello"'));

    assert.equal(body.usage.prompt_tokens, 8); // 3 + "user" + "Hello" + 3
    assert.equal(body.usage.completion_tokens, countText('gpt-4o', choice.message.content));
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
    assert.deepEqual(body.usage.prompt_tokens_details, { cached_tokens: 0, audio_tokens: 0 });
    assert.equal(body.usage.completion_tokens_details.reasoning_tokens, 0);
  });

  test('max_completion_tokens and max_tokens cap the output with finish_reason "length"', async () => {
    for (const cap of [{ max_completion_tokens: 5 }, { max_tokens: 5 }]) {
      const body = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o-mini', messages: [user('Hi')], ...cap })).text);
      assert.equal(body.choices[0].finish_reason, 'length');
      assert.equal(body.usage.completion_tokens, 5);
      assert.equal(countText('gpt-4o-mini', body.choices[0].message.content), 5);
    }
  });

  test('reasoning models report reasoning tokens inside completion tokens, capped', async () => {
    const free = json((await post(`${sim.url}/chat/completions`, { model: 'o4-mini', messages: [user('Hi')] })).text);
    const visible = countText('o4-mini', free.choices[0].message.content);
    assert.equal(free.usage.completion_tokens_details.reasoning_tokens, REASONING_TOKENS);
    assert.equal(free.usage.completion_tokens, visible + REASONING_TOKENS);

    const capped = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-5', messages: [user('Hi')], max_completion_tokens: 40 })).text);
    assert.equal(capped.usage.completion_tokens, 40);
    assert.equal(capped.usage.completion_tokens_details.reasoning_tokens, 40);
    assert.equal(capped.choices[0].message.content, '');
    assert.equal(capped.choices[0].finish_reason, 'length');
  });

  test('reasoning models refuse max_tokens, as OpenAI does', async () => {
    const res = await post(`${sim.url}/chat/completions`, { model: 'o3', messages: [user('Hi')], max_tokens: 10 });
    assert.equal(res.status, 400);
    assert.deepEqual(json(res.text).error, {
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter',
    });
  });

  test('a repeated prompt of 1024+ tokens reports cached tokens the second time', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(300);
    const first = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4.1', messages: [user(long)] })).text);
    assert.ok(first.usage.prompt_tokens >= 1024);
    assert.equal(first.usage.prompt_tokens_details.cached_tokens, 0);
    const second = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4.1', messages: [user(long)] })).text);
    assert.equal(second.usage.prompt_tokens, first.usage.prompt_tokens);
    const expected = 1024 + Math.floor((first.usage.prompt_tokens - 1024) / 128) * 128;
    assert.equal(second.usage.prompt_tokens_details.cached_tokens, expected);

    const short = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4.1', messages: [user('short')] })).text);
    const shortAgain = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4.1', messages: [user('short')] })).text);
    assert.equal(short.usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(shortAgain.usage.prompt_tokens_details.cached_tokens, 0);
  });

  test('n choices each carry the reply; completion tokens add up', async () => {
    const body = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [user('Hi')], n: 3 })).text);
    assert.deepEqual(body.choices.map((c: any) => c.index), [0, 1, 2]);
    assert.equal(body.usage.completion_tokens, 3 * countText('gpt-4o', body.choices[0].message.content));
  });

  test('a stream without include_usage: role chunk, content chunks, finish chunk, [DONE]; no usage field', async () => {
    const res = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [user('Stream me')], stream: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.headers['x-tollgate-simulated'], 'true');
    const frames = sseFrames(res.text);
    assert.equal(frames.at(-1)?.data, '[DONE]');
    const chunks = sseJson(res.text) as any[];
    assert.ok(chunks.length >= 4);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.id, chunks[0].id);
      assert.equal(c.model, 'gpt-4o');
      assert.equal('usage' in c, false);
      assert.equal(typeof c.obfuscation, 'string');
    }
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    const last = chunks.at(-1);
    assert.deepEqual(last.choices[0].delta, {});
    assert.equal(last.choices[0].finish_reason, 'stop');
    const text = chunks.slice(1, -1).map((c) => c.choices[0].delta.content).join('');
    assert.ok(text.startsWith('[simulated] Simulated reply to: "Stream me"'));
    assert.ok(chunks.slice(1, -1).every((c) => c.choices[0].finish_reason === null));
  });

  test('a stream with include_usage: "usage": null on every chunk, then a usage chunk with no choices', async () => {
    const res = await post(`${sim.url}/chat/completions`, {
      model: 'gpt-4o', messages: [user('Stream me')], stream: true, stream_options: { include_usage: true },
    });
    const chunks = sseJson(res.text) as any[];
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk.choices, []);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    const text = chunks.slice(1, -2).map((c) => c.choices[0].delta.content).join('');
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
    assert.equal(usageChunk.usage.prompt_tokens, 3 + 1 + countText('gpt-4o', 'Stream me') + 3);
    assert.equal(usageChunk.usage.completion_tokens, countText('gpt-4o', text));
    assert.equal(sseFrames(res.text).at(-1)?.data, '[DONE]');
  });

  test('include_obfuscation false drops the obfuscation field', async () => {
    const res = await post(`${sim.url}/chat/completions`, {
      model: 'gpt-4o', messages: [user('x')], stream: true, stream_options: { include_obfuscation: false },
    });
    assert.ok((sseJson(res.text) as any[]).every((c) => !('obfuscation' in c)));
  });

  test('each SSE frame is written separately', async () => {
    const { request } = await import('undici');
    const res = await request(`${sim.url}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [user('x')], stream: true }),
    });
    let pieces = 0;
    let text = '';
    for await (const piece of res.body) {
      pieces += 1;
      text += String(piece);
    }
    assert.ok(pieces > 3, `${pieces} pieces`);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });
});

describe('responses', () => {
  test('a plain Response: output message with output_text, usage in Responses terms', async () => {
    const res = await post(`${sim.url}/responses`, { model: 'gpt-4.1-mini', input: 'Tell me', instructions: 'Be brief' });
    assert.equal(res.status, 200);
    const body = json(res.text);
    assert.match(body.id, /^resp_/);
    assert.equal(body.object, 'response');
    assert.equal(body.status, 'completed');
    assert.equal(body.error, null);
    assert.equal(body.incomplete_details, null);
    assert.equal(body.instructions, 'Be brief');
    assert.equal(body.model, 'gpt-4.1-mini');
    assert.equal(body.output.length, 1);
    const [message] = body.output;
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.status, 'completed');
    assert.match(message.id, /^msg_/);
    assert.equal(message.content[0].type, 'output_text');
    const text = message.content[0].text as string;
    assert.ok(text.startsWith('[simulated] Simulated reply to: "Tell me"'));
    const expectedPrompt = 3 + (3 + countText('gpt-4.1-mini', 'developer') + countText('gpt-4.1-mini', 'Be brief'))
      + (3 + 1 + countText('gpt-4.1-mini', 'Tell me'));
    assert.deepEqual(body.usage, {
      input_tokens: expectedPrompt,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: countText('gpt-4.1-mini', text),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: expectedPrompt + countText('gpt-4.1-mini', text),
    });
  });

  test('a reasoning model adds a reasoning item and reasoning tokens', async () => {
    const body = json((await post(`${sim.url}/responses`, { model: 'o3', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }] })).text);
    assert.deepEqual(body.output.map((o: any) => o.type), ['reasoning', 'message']);
    assert.equal(body.usage.output_tokens_details.reasoning_tokens, REASONING_TOKENS);
  });

  test('max_output_tokens below the reply ends "incomplete"', async () => {
    const body = json((await post(`${sim.url}/responses`, { model: 'gpt-4o', input: 'Hi', max_output_tokens: 16 })).text);
    assert.equal(body.status, 'incomplete');
    assert.deepEqual(body.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal(body.usage.output_tokens, 16);
    assert.equal(body.max_output_tokens, 16);
  });

  test('a stream sends the semantic events in order with increasing sequence numbers', async () => {
    const res = await post(`${sim.url}/responses`, { model: 'gpt-4o', input: 'Hi', stream: true });
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    const frames = sseFrames(res.text);
    const types = frames.map((f) => f.event);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    assert.ok(deltas >= 3);
    assert.deepEqual(types, [
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      ...Array(deltas).fill('response.output_text.delta'),
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ]);
    const events = frames.map((f) => JSON.parse(f.data));
    events.forEach((e, i) => {
      assert.equal(e.type, frames[i]?.event);
      assert.equal(e.sequence_number, i);
    });
    assert.equal(events[0].response.status, 'in_progress');
    assert.equal(events[0].response.usage, null);
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    const done = events.at(-1);
    assert.equal(done.response.status, 'completed');
    assert.equal(done.response.output[0].content[0].text, text);
    assert.equal(done.response.usage.output_tokens, countText('gpt-4o', text));
    assert.ok(!res.text.includes('[DONE]'));
  });

  test('a capped stream ends with response.incomplete', async () => {
    const res = await post(`${sim.url}/responses`, { model: 'gpt-4o', input: 'Hi', stream: true, max_output_tokens: 20 });
    const last = sseFrames(res.text).at(-1);
    assert.equal(last?.event, 'response.incomplete');
    assert.equal(JSON.parse(last?.data ?? '{}').response.usage.output_tokens, 20);
  });
});

describe('legacy completions', () => {
  test('a plain completion defaults to 16 output tokens, like OpenAI', async () => {
    const body = json((await post(`${sim.url}/completions`, { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' })).text);
    assert.match(body.id, /^cmpl-/);
    assert.equal(body.object, 'text_completion');
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(body.choices[0].logprobs, null);
    assert.deepEqual(body.usage, {
      prompt_tokens: countText('gpt-3.5-turbo-instruct', 'Say this is a test'),
      completion_tokens: LEGACY_DEFAULT_MAX_TOKENS,
      total_tokens: countText('gpt-3.5-turbo-instruct', 'Say this is a test') + LEGACY_DEFAULT_MAX_TOKENS,
    });
  });

  test('an array of prompts gets one choice per prompt', async () => {
    const body = json((await post(`${sim.url}/completions`, { model: 'gpt-3.5-turbo-instruct', prompt: ['a', 'b'], max_tokens: 200 })).text);
    assert.equal(body.choices.length, 2);
    assert.ok(body.choices[1].text.includes('"b"'));
    assert.equal(body.choices[0].finish_reason, 'stop');
  });

  test('a stream of text_completion chunks, usage only with include_usage', async () => {
    const plain = sseJson((await post(`${sim.url}/completions`, { model: 'gpt-3.5-turbo-instruct', prompt: 'x', max_tokens: 100, stream: true })).text) as any[];
    assert.ok(plain.every((c) => c.object === 'text_completion' && !('usage' in c)));
    assert.equal(plain.at(-1).choices[0].finish_reason, 'stop');

    const res = await post(`${sim.url}/completions`, {
      model: 'gpt-3.5-turbo-instruct', prompt: 'x', max_tokens: 100, stream: true, stream_options: { include_usage: true },
    });
    const chunks = sseJson(res.text) as any[];
    assert.deepEqual(chunks.at(-1).choices, []);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    const text = chunks.slice(0, -1).map((c) => c.choices[0].text).join('');
    assert.equal(chunks.at(-1).usage.completion_tokens, countText('gpt-3.5-turbo-instruct', text));
    assert.equal(sseFrames(res.text).at(-1)?.data, '[DONE]');
  });
});

describe('embeddings', () => {
  test('deterministic unit vectors of 8 floats by default', async () => {
    const body = json((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-small', input: ['hello', 'world'] })).text);
    assert.equal(body.object, 'list');
    assert.equal(body.model, 'text-embedding-3-small');
    assert.equal(body.data.length, 2);
    const [a, b] = body.data;
    assert.equal(a.object, 'embedding');
    assert.equal(b.index, 1);
    assert.equal(a.embedding.length, 8);
    const norm = Math.sqrt(a.embedding.reduce((s: number, v: number) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5);
    assert.notDeepEqual(a.embedding, b.embedding);
    assert.deepEqual(body.usage, { prompt_tokens: 2, total_tokens: 2 });
    const again = json((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-small', input: 'hello' })).text);
    assert.deepEqual(again.data[0].embedding, a.embedding);
  });

  test('dimensions and base64 encoding', async () => {
    const floats = json((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-large', input: 'x', dimensions: 32 })).text);
    assert.equal(floats.data[0].embedding.length, 32);
    const b64 = json((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-large', input: 'x', dimensions: 32, encoding_format: 'base64' })).text);
    const bytes = Buffer.from(b64.data[0].embedding, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    assert.deepEqual(decoded, floats.data[0].embedding);
  });

  test('token-array input counts its tokens', async () => {
    const body = json((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-small', input: [[1, 2, 3], [4, 5]] })).text);
    assert.equal(body.usage.prompt_tokens, 5);
    assert.equal(body.data.length, 2);
  });
});

describe('models', () => {
  test('the list and one model', async () => {
    const list = json((await call('GET', `${sim.url}/models`)).text);
    assert.equal(list.object, 'list');
    assert.deepEqual(list.data.map((m: any) => m.id).sort(), [
      'gpt-3.5-turbo-instruct', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'gpt-5', 'gpt-5-mini',
      'o3', 'o4-mini', 'text-embedding-3-large', 'text-embedding-3-small',
    ]);
    for (const m of list.data) assert.deepEqual(Object.keys(m).sort(), ['created', 'id', 'object', 'owned_by']);
    const one = await call('GET', `${sim.url}/models/gpt-4o`);
    assert.equal(one.status, 200);
    assert.deepEqual(json(one.text), list.data.find((m: any) => m.id === 'gpt-4o'));
    const missing = await call('GET', `${sim.url}/models/gpt-9`);
    assert.equal(missing.status, 404);
    assert.equal(json(missing.text).error.code, 'model_not_found');
  });
});

describe('errors', () => {
  test('unknown model: 404 model_not_found', async () => {
    const res = await post(`${sim.url}/chat/completions`, { model: 'gpt-9', messages: [user('x')] });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-tollgate-simulated'], 'true');
    assert.ok(res.headers['x-request-id']);
    assert.deepEqual(json(res.text), { error: {
      message: 'The model `gpt-9` does not exist or you do not have access to it.',
      type: 'invalid_request_error', param: null, code: 'model_not_found',
    } });
  });

  test('bad JSON: 400 invalid_request_error', async () => {
    const res = await post(`${sim.url}/chat/completions`, '{"model": "gpt-4o",');
    assert.equal(res.status, 400);
    const body = json(res.text);
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^We could not parse the JSON body of your request/);
  });

  test('unknown path: 404 Invalid URL', async () => {
    const res = await post(`${sim.url}/x`, {});
    assert.equal(res.status, 404);
    assert.deepEqual(json(res.text), { error: { message: 'Invalid URL (POST /v1/x)', type: 'invalid_request_error', param: null, code: null } });
    assert.equal(json((await call('GET', `${sim.url}/chat/completions`)).text).error.message, 'Invalid URL (GET /v1/chat/completions)');
  });

  test('a model on the wrong endpoint', async () => {
    const chat = await post(`${sim.url}/completions`, { model: 'gpt-4o', prompt: 'x' });
    assert.equal(chat.status, 404);
    assert.match(json(chat.text).error.message, /This is a chat model and not supported in the v1\/completions endpoint/);
    const instruct = await post(`${sim.url}/chat/completions`, { model: 'gpt-3.5-turbo-instruct', messages: [user('x')] });
    assert.match(json(instruct.text).error.message, /This is not a chat model/);
    assert.equal((await post(`${sim.url}/embeddings`, { model: 'gpt-4o', input: 'x' })).status, 404);
  });

  test('missing or invalid parameters', async () => {
    const noMessages = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o' })).text);
    assert.deepEqual(noMessages.error, {
      message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter',
    });
    const noModel = await post(`${sim.url}/chat/completions`, { messages: [user('x')] });
    assert.equal(noModel.status, 400);
    const zero = json((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [user('x')], max_completion_tokens: 0 })).text);
    assert.equal(zero.error.code, 'integer_below_min_value');
    const options = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [user('x')], stream_options: { include_usage: true } });
    assert.equal(options.status, 400);
    assert.equal(json(options.text).error.param, 'stream_options');
    assert.equal((await post(`${sim.url}/responses`, { model: 'gpt-4o' })).status, 400);
    assert.equal((await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-small', input: '' })).status, 400);
  });
});

describe('request log', () => {
  test('records method, path, headers and the parsed body, newest last', async () => {
    await post(`${sim.url}/chat/completions?trace=1`, { model: 'gpt-4o', messages: [user('logged')] }, { 'x-test': 'yes' });
    const last = sim.requests.at(-1);
    assert.ok(last);
    assert.equal(last.method, 'POST');
    assert.equal(last.path, '/v1/chat/completions');
    assert.equal(last.headers['x-test'], 'yes');
    assert.deepEqual(last.body, { model: 'gpt-4o', messages: [user('logged')] });
    assert.equal(last.outcome, 'answered');
  });
});
