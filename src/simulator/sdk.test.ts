// The official openai SDK, pointed at the simulator, parses every response and stream it sends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSimulator } from './server.js';
import { countText } from './tokens.js';
import type { SimulatedUpstream } from './types.js';

const KEY = 'sk-simulator-sdk-test';
let sim: SimulatedUpstream;
let client: OpenAI;
before(async () => {
  sim = await startSimulator({ apiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
});
after(async () => { await sim.close(); });

describe('openai SDK against the simulator', () => {
  test('chat.completions.create', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello SDK' }] });
    assert.equal(completion.object, 'chat.completion');
    const content = completion.choices[0]?.message.content ?? '';
    assert.ok(content.startsWith('[simulated] Simulated reply to: "Hello SDK"'));
    assert.equal(completion.usage?.completion_tokens, countText('gpt-4o-mini', content));
  });

  test('withResponse exposes the simulator headers', async () => {
    const { response, data, request_id } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    assert.equal(response.headers.get('x-tollgate-simulated'), 'true');
    assert.ok(request_id?.startsWith('req_'));
    assert.equal(data.object, 'chat.completion');
  });

  test('a chat stream with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-5-mini', messages: [{ role: 'user', content: 'Stream' }], stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(finish, 'stop');
    assert.ok(text.startsWith('[simulated]'));
    assert.equal(usage?.completion_tokens_details?.reasoning_tokens, 64);
    assert.equal(usage?.completion_tokens, countText('gpt-5-mini', text) + 64);
  });

  test('the chat stream helper assembles the final completion', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'helper' }] });
    const final = await runner.finalChatCompletion();
    assert.ok(final.choices[0]?.message.content?.startsWith('[simulated] Simulated reply to: "helper"'));
  });

  test('responses.create and its output_text', async () => {
    const response = await client.responses.create({ model: 'o4-mini', input: 'Hello Responses' });
    assert.equal(response.status, 'completed');
    assert.ok(response.output_text.startsWith('[simulated] Simulated reply to: "Hello Responses"'));
    assert.equal(response.usage?.output_tokens_details.reasoning_tokens, 64);
  });

  test('a Responses stream, and the stream helper', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'Stream it', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') assert.equal(event.response.usage?.output_tokens, countText('gpt-4o', text));
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');

    const helper = client.responses.stream({ model: 'gpt-4o', input: 'helper' });
    const final = await helper.finalResponse();
    assert.ok(final.output_text.startsWith('[simulated] Simulated reply to: "helper"'));
  });

  test('legacy completions, plain and streamed', async () => {
    const plain = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once', max_tokens: 100 });
    assert.equal(plain.choices[0]?.finish_reason, 'stop');
    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct', prompt: 'Once', max_tokens: 100, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, plain.choices[0]?.text);
    assert.equal(usage?.completion_tokens, plain.usage?.completion_tokens);
  });

  test('embeddings (the SDK asks for base64 and decodes it)', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 16 });
    assert.equal(result.data.length, 2);
    assert.equal(result.data[0]?.embedding.length, 16);
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', dimensions: 16, encoding_format: 'float' });
    assert.deepEqual(floats.data[0]?.embedding, result.data[0]?.embedding);
  });

  test('models.list and models.retrieve', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.equal(ids.length, 11);
    assert.equal((await client.models.retrieve('o3')).id, 'o3');
  });

  test('errors map to the SDK error classes', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
    const anonymous = new OpenAI({ apiKey: 'sk-wrong', baseURL: sim.url, maxRetries: 0 });
    await assert.rejects(anonymous.models.list(), OpenAI.AuthenticationError);
    sim.script({ kind: 'status', status: 500 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), OpenAI.InternalServerError);
    sim.script({ kind: 'refuse' });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }), OpenAI.APIConnectionError);
  });

  test('a stream reset mid-way surfaces as an error to the SDK reader', async () => {
    sim.script({ kind: 'reset-mid-stream', afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    let chunks = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) chunks += 1;
    });
    assert.equal(chunks, 3);
  });
});
