import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startSimulator } from './server.js';
import { call, post, sseFrames, sseJson } from './test-client.js';
import type { SimulatedRequest, SimulatedUpstream } from './types.js';

let sim: SimulatedUpstream;
before(async () => { sim = await startSimulator(); });
after(async () => { await sim.close(); });

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], ...extra });
const json = (text: string) => JSON.parse(text) as Record<string, any>;

/** Resolves once `predicate` holds, checking on every turn of the event loop (fails after `ms`). */
async function until(predicate: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function lastRequest(): SimulatedRequest {
  const r = sim.requests.at(-1);
  assert.ok(r);
  return r;
}

describe('ok', () => {
  test('scripted text and usage replace the computed ones', async () => {
    sim.script({ kind: 'ok', text: 'Exactly this.', usage: { promptTokens: 1000, cachedTokens: 256, completionTokens: 7, reasoningTokens: 2 } });
    const body = json((await post(`${sim.url}/chat/completions`, chatBody())).text);
    assert.equal(body.choices[0].message.content, 'Exactly this.');
    assert.equal(body.usage.prompt_tokens, 1000);
    assert.equal(body.usage.prompt_tokens_details.cached_tokens, 256);
    assert.equal(body.usage.completion_tokens, 7);
    assert.equal(body.usage.completion_tokens_details.reasoning_tokens, 2);
    assert.equal(body.usage.total_tokens, 1007);
  });

  test('a partial override keeps the other computed numbers, in a stream too', async () => {
    sim.script({ kind: 'ok', usage: { completionTokens: 3 } });
    const res = await post(`${sim.url}/chat/completions`, chatBody({ stream: true, stream_options: { include_usage: true } }));
    const usage = (sseJson(res.text).at(-1) as any).usage;
    assert.equal(usage.completion_tokens, 3);
    assert.equal(usage.prompt_tokens, 8);
  });

  test('delayMs holds the answer back', async () => {
    sim.script({ kind: 'ok', delayMs: 120 });
    const started = performance.now();
    const res = await post(`${sim.url}/responses`, { model: 'gpt-4o', input: 'x' });
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started >= 110);
  });
});

describe('status', () => {
  test('behaviours apply FIFO, one per request, then normal answers resume', async () => {
    sim.script({ kind: 'status', status: 503 }, { kind: 'status', status: 429, body: { error: { message: 'custom', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } });
    const first = await post(`${sim.url}/chat/completions`, chatBody());
    assert.equal(first.status, 503);
    assert.equal(first.headers['x-tollgate-simulated'], 'true');
    assert.ok(first.headers['x-request-id']);
    assert.deepEqual(json(first.text), { error: {
      message: 'The engine is currently overloaded, please try again later', type: 'server_error', param: null, code: null,
    } });
    const second = await post(`${sim.url}/embeddings`, { model: 'text-embedding-3-small', input: 'x' });
    assert.equal(second.status, 429);
    assert.equal(json(second.text).error.code, 'insufficient_quota');
    assert.equal((await post(`${sim.url}/chat/completions`, chatBody())).status, 200);
  });

  test('every status gets an OpenAI-shaped default body', async () => {
    for (const status of [400, 401, 404, 429, 500, 502, 504, 418]) {
      sim.script({ kind: 'status', status });
      const res = await post(`${sim.url}/chat/completions`, chatBody());
      assert.equal(res.status, status);
      const { error } = json(res.text);
      assert.equal(typeof error.message, 'string');
      assert.equal(typeof error.type, 'string');
      assert.ok('param' in error && 'code' in error);
    }
  });
});

describe('connection faults', () => {
  test('refuse: the client sees a reset connection and no response', async () => {
    sim.script({ kind: 'refuse' });
    await assert.rejects(post(`${sim.url}/chat/completions`, chatBody()), (err: Error & { code?: string }) => {
      assert.match(`${err.code} ${err.message}`, /ECONNRESET|UND_ERR_SOCKET|other side closed/);
      return true;
    });
    assert.equal(lastRequest().outcome, 'reset');
    assert.equal((await post(`${sim.url}/chat/completions`, chatBody())).status, 200, 'the next request is answered');
  });

  test('reset-mid-stream: N content chunks arrive, then the stream breaks without finish or [DONE]', async () => {
    sim.script({ kind: 'reset-mid-stream', afterChunks: 2 });
    const res = await request(`${sim.url}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody({ stream: true })),
    });
    assert.equal(res.statusCode, 200);
    let text = '';
    await assert.rejects(async () => {
      for await (const piece of res.body) text += String(piece);
    });
    const chunks = sseJson(text) as any[];
    assert.equal(chunks.length, 3, 'the role chunk and two content chunks');
    assert.ok(chunks.slice(1).every((c) => typeof c.choices[0].delta.content === 'string' && c.choices[0].finish_reason === null));
    assert.ok(!text.includes('[DONE]'));
    assert.equal(lastRequest().outcome, 'reset');
  });

  test('reset-mid-stream on a Responses stream cuts after N deltas', async () => {
    sim.script({ kind: 'reset-mid-stream', afterChunks: 1 });
    const res = await request(`${sim.url}/responses`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o', input: 'x', stream: true }),
    });
    let text = '';
    await assert.rejects(async () => {
      for await (const piece of res.body) text += String(piece);
    });
    const events = sseFrames(text).map((f) => f.event);
    assert.equal(events.filter((e) => e === 'response.output_text.delta').length, 1);
    assert.equal(events.at(-1), 'response.output_text.delta');
  });

  test('reset-mid-stream on a non-streamed call sends half a body, then resets', async () => {
    sim.script({ kind: 'reset-mid-stream', afterChunks: 0 });
    await assert.rejects(post(`${sim.url}/chat/completions`, chatBody()));
    assert.equal(lastRequest().outcome, 'reset');
  });

  test('hang: accepted, never answered, until the simulator closes', async () => {
    const own = await startSimulator();
    own.script({ kind: 'hang' });
    let settled = false;
    const pending = post(`${own.url}/chat/completions`, chatBody()).finally(() => { settled = true; });
    await until(() => own.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(settled, false, 'still waiting after 150 ms');
    assert.equal(own.requests[0]?.outcome, 'pending');
    await own.close();
    await assert.rejects(pending);
  });
});

describe('slow-stream', () => {
  test('streams exactly `chunks` content chunks with the pause between them', async () => {
    sim.script({ kind: 'slow-stream', chunkDelayMs: 15, chunks: 6 });
    const started = performance.now();
    const res = await post(`${sim.url}/chat/completions`, chatBody({ stream: true, stream_options: { include_usage: true } }));
    assert.ok(performance.now() - started >= 5 * 15 - 5);
    const chunks = sseJson(res.text) as any[];
    const content = chunks.filter((c) => c.choices[0]?.delta?.content !== undefined && c.choices[0].delta.role === undefined);
    assert.equal(content.length, 6);
    assert.ok(res.text.endsWith('data: [DONE]\n\n'));
  });

  test('a client that leaves stops the stream; the request is marked client-closed', async () => {
    sim.script({ kind: 'slow-stream', chunkDelayMs: 10, chunks: 10_000 });
    const controller = new AbortController();
    const res = await request(`${sim.url}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody({ stream: true })), signal: controller.signal,
    });
    let frames = 0;
    await assert.rejects(async () => {
      for await (const piece of res.body) {
        frames += String(piece).split('\n\n').length - 1;
        if (frames >= 3) controller.abort();
      }
    });
    const record = lastRequest();
    await until(() => record.outcome === 'client-closed');
  });
});

describe('auth', () => {
  let keyed: SimulatedUpstream;
  before(async () => { keyed = await startSimulator({ apiKey: 'sk-test-simulator-key' }); });
  after(async () => { await keyed.close(); });

  test('no key: 401 asking for one', async () => {
    const res = await post(`${keyed.url}/chat/completions`, chatBody());
    assert.equal(res.status, 401);
    const { error } = json(res.text);
    assert.match(error.message, /^You didn't provide an API key/);
    assert.equal(error.type, 'invalid_request_error');
  });

  test('a wrong key: 401 invalid_api_key with the key redacted', async () => {
    const res = await post(`${keyed.url}/chat/completions`, chatBody(), { authorization: 'Bearer sk-wrong-key-123456' });
    assert.equal(res.status, 401);
    const { error } = json(res.text);
    assert.equal(error.code, 'invalid_api_key');
    assert.match(error.message, /^Incorrect API key provided: sk-\*+3456\./);
    assert.ok(!error.message.includes('wrong-key'));
  });

  test('the right key is served, on every endpoint', async () => {
    const auth = { authorization: 'Bearer sk-test-simulator-key' };
    assert.equal((await post(`${keyed.url}/chat/completions`, chatBody(), auth)).status, 200);
    assert.equal((await call('GET', `${keyed.url}/models`, undefined, auth)).status, 200);
    assert.equal((await call('GET', `${keyed.url}/models`)).status, 401);
  });
});
