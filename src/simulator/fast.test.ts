import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { FAST_CHUNKS, FAST_TEXT, FAST_USAGE } from './fast.js';
import { REQUEST_LOG_LIMIT, startSimulator } from './server.js';
import { post, sseJson } from './test-client.js';
import type { SimulatedUpstream } from './types.js';

let sim: SimulatedUpstream;
let client: OpenAI;
before(async () => {
  sim = await startSimulator({ fast: true });
  client = new OpenAI({ apiKey: 'unused', baseURL: sim.url, maxRetries: 0 });
});
after(async () => { await sim.close(); });

const messages = [{ role: 'user' as const, content: 'anything at all, it is ignored in fast mode' }];

test('fast mode answers with the fixed text and fixed usage, whatever the prompt', async () => {
  const a = await client.chat.completions.create({ model: 'gpt-4o', messages });
  const b = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'other' }] });
  assert.equal(a.choices[0]?.message.content, FAST_TEXT);
  assert.deepEqual(a.usage, b.usage);
  assert.equal(a.usage?.prompt_tokens, FAST_USAGE.promptTokens);
  assert.equal(a.usage?.completion_tokens, FAST_USAGE.completionTokens);
  assert.equal(a.model, 'gpt-4o');
  assert.equal((await client.chat.completions.create({ model: 'o3', messages })).model, 'o3');
});

test('fast streams: ~10 content chunks, usage chunk only with include_usage, headers on every answer', async () => {
  const res = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
  assert.equal(res.headers['x-tollgate-simulated'], 'true');
  const chunks = sseJson(res.text) as any[];
  assert.equal(chunks.length, 1 + FAST_CHUNKS + 1 + 1);
  assert.equal(chunks.at(-1).usage.completion_tokens, FAST_USAGE.completionTokens);
  assert.ok(res.text.endsWith('data: [DONE]\n\n'));
  const plain = sseJson((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages, stream: true })).text) as any[];
  assert.ok(plain.every((c) => !('usage' in c)));

  const ids = new Set<unknown>();
  for (let i = 0; i < 3; i++) ids.add((await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages })).headers['x-request-id']);
  assert.equal(ids.size, 3, 'request ids stay unique');
});

test('the SDK parses every fast answer', async () => {
  let text = '';
  for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) {
    text += chunk.choices[0]?.delta.content ?? '';
  }
  assert.equal(text, FAST_TEXT);
  const response = await client.responses.create({ model: 'gpt-4.1', input: 'x' });
  assert.equal(response.output_text, FAST_TEXT);
  const events: string[] = [];
  for await (const e of await client.responses.create({ model: 'gpt-4.1', input: 'x', stream: true })) events.push(e.type);
  assert.equal(events.at(-1), 'response.completed');
  const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' });
  assert.equal(completion.choices[0]?.text, FAST_TEXT);
  const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'c'] });
  assert.equal(embeddings.data.length, 3);
  assert.equal(embeddings.usage.prompt_tokens, FAST_USAGE.promptTokens);
});

test('fast mode still refuses unknown models and honours scripted behaviours', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'gpt-9', messages }), OpenAI.NotFoundError);
  sim.script({ kind: 'status', status: 503 });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages }), OpenAI.InternalServerError);
  sim.script({ kind: 'ok', text: 'scripted' });
  assert.equal((await client.chat.completions.create({ model: 'gpt-4o', messages })).choices[0]?.message.content, 'scripted');
});

test('the request log keeps only the last 10,000 requests', async () => {
  const marker = (i: number) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: `#${i}` }] });
  const total = REQUEST_LOG_LIMIT + 50;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const res = await post(`${sim.url}/chat/completions`, marker(i), { 'x-seq': String(i) });
      assert.equal(res.status, 200);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  assert.equal(sim.requests.length, REQUEST_LOG_LIMIT);
  const seqs = new Set(sim.requests.map((r) => r.headers['x-seq']));
  assert.ok(seqs.has(String(total - 1)), 'the newest is kept');
  assert.ok(!seqs.has('0'), 'the oldest is gone');
});
