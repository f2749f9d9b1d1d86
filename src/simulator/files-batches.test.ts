import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { NotFoundError, toFile } from 'openai';
import { startSimulator } from './server.js';
import type { SimulatedUpstream } from './types.js';

let sim: SimulatedUpstream;
let slow: SimulatedUpstream;
before(async () => {
  sim = await startSimulator({ apiKey: 'sk-sim' });
  slow = await startSimulator({ batchRetrievesToComplete: 2 });
});
after(async () => {
  await sim.close();
  await slow.close();
});

const client = (s: SimulatedUpstream) => new OpenAI({ apiKey: 'sk-sim', baseURL: s.url, maxRetries: 0 });
const line = (id: string, model: string, content: string) =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, max_tokens: 20, messages: [{ role: 'user', content }] } });

async function uploadInput(c: OpenAI, lines: string[]) {
  return c.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'in.jsonl'), purpose: 'batch' });
}

test('files: upload, retrieve, content, list, delete', async () => {
  const c = client(sim);
  const f = await uploadInput(c, [line('a', 'gpt-4o-mini', 'hi')]);
  assert.match(f.id, /^file-/);
  assert.equal(f.purpose, 'batch');
  assert.equal(f.filename, 'in.jsonl');
  assert.equal((await c.files.retrieve(f.id)).bytes, f.bytes);
  assert.equal(await (await c.files.content(f.id)).text(), line('a', 'gpt-4o-mini', 'hi') + '\n');
  const ids = [];
  for await (const x of c.files.list()) ids.push(x.id);
  assert.ok(ids.includes(f.id));
  assert.equal((await c.files.delete(f.id)).deleted, true);
  await assert.rejects(c.files.retrieve(f.id), NotFoundError);
});

test('batches: completes on the first retrieve, with usage per line and failed lines in the error file', async () => {
  const c = client(sim);
  const f = await uploadInput(c, [line('a', 'gpt-4o-mini', 'one'), line('b', 'gpt-4o-mini', 'two'), line('c', 'no-such-model', 'x')]);
  const b = await c.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  assert.equal(b.status, 'validating');
  const done = await c.batches.retrieve(b.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.request_counts, { total: 3, completed: 2, failed: 1 });
  const out = (await (await c.files.content(done.output_file_id ?? '')).text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(out.map((o) => o.custom_id), ['a', 'b']);
  for (const o of out) {
    assert.equal(o.response.status_code, 200);
    assert.ok(o.response.body.usage.prompt_tokens > 0);
    assert.equal(o.response.body.usage.completion_tokens, 20);
  }
  const errors = (await (await c.files.content(done.error_file_id ?? '')).text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(errors[0].custom_id, 'c');
  assert.equal(errors[0].response.status_code, 404);
  const listed = [];
  for await (const x of c.batches.list()) listed.push(x.id);
  assert.ok(listed.includes(b.id));
});

test('batches: cancel before completion ends it with no output; the completion delay is configurable', async () => {
  const c = client(slow);
  const f = await uploadInput(c, [line('a', 'gpt-4o-mini', 'one')]);
  const b = await c.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  assert.equal((await c.batches.retrieve(b.id)).status, 'validating');
  assert.equal((await c.batches.retrieve(b.id)).status, 'completed');
  const b2 = await c.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const cancelled = await c.batches.cancel(b2.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.output_file_id, null);
  assert.equal((await c.batches.retrieve(b2.id)).status, 'cancelled');
  await assert.rejects(c.batches.retrieve('batch_unknown'), NotFoundError);
});
