import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseMeter, type SseMeterOptions } from './sse-meter.js';
import { countTextTokens } from './tokenizer.js';
import { FOLD_THRESHOLD_BYTES } from './delivered-text.js';

type Obj = Record<string, unknown>;
const MODEL = 'gpt-4o';

/** mulberry32: a small seeded PRNG so a failing split can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplit(bytes: Buffer, random: () => number): Buffer[] {
  const maxPiece = 1 + Math.floor(random() * 80);
  const pieces: Buffer[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const size = 1 + Math.floor(random() * Math.min(maxPiece, bytes.length - pos));
    pieces.push(Buffer.from(bytes.subarray(pos, pos + size)));
    pos += size;
  }
  return pieces;
}

function run(opts: SseMeterOptions, pieces: Buffer[], { end = true } = {}): { meter: SseMeter; out: Buffer } {
  const meter = new SseMeter(opts);
  const out: Buffer[] = [];
  for (const piece of pieces) {
    const forwarded = meter.push(piece);
    if (forwarded !== null) out.push(forwarded);
  }
  if (end) {
    const rest = meter.end();
    if (rest !== null) out.push(rest);
  }
  return { meter, out: Buffer.concat(out) };
}

/** A client's view: the data of each complete event, in order. */
function clientEvents(stream: string): string[] {
  return stream.split(/\r?\n\r?\n/).slice(0, -1)
    .map((event) => event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5)).join('\n'))
    .filter((data) => data.length > 0);
}

/** Inserts `"usage": value` as the `at`-th key (clamped), as include_usage does in varying positions. */
function withUsage(chunk: Obj, usage: unknown, at: number): Obj {
  const entries = Object.entries(chunk);
  entries.splice(Math.min(at, entries.length), 0, ['usage', usage]);
  return Object.fromEntries(entries);
}

const USAGE = {
  prompt_tokens: 19, completion_tokens: 12, total_tokens: 31,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

function chatChunks(): Obj[] {
  const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp' };
  const choice = (delta: Obj, finish: string | null = null, index = 0): Obj => ({ index, delta, logprobs: null, finish_reason: finish });
  return [
    { ...head, choices: [choice({ role: 'assistant', content: '', refusal: null }), choice({ role: 'assistant', content: '' }, null, 1)] },
    { ...head, choices: [choice({ content: 'Héllo' })] },
    { ...head, choices: [choice({ content: ' wörld 👋, "quoted" \\ usage: null' })] },
    { ...head, choices: [choice({ content: 'Second' }, null, 1)] },
    { ...head, choices: [choice({ content: '\n日本語のテキスト' })] },
    { ...head, choices: [choice({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null, 1)] },
    { ...head, choices: [choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null, 1)] },
    { ...head, choices: [choice({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null, 1)] },
    { ...head, choices: [choice({}, 'stop'), choice({}, 'tool_calls', 1)] },
  ];
}

/** Text the client sees per output stream for chunks 0..n-1 (the test's independent expectation). */
function expectedChatTokens(chunks: Obj[]): number {
  const streams = new Map<string, string>();
  const add = (key: string, text: unknown): void => {
    if (typeof text === 'string') streams.set(key, (streams.get(key) ?? '') + text);
  };
  for (const chunk of chunks) {
    for (const c of chunk['choices'] as Obj[]) {
      const delta = c['delta'] as Obj;
      add(`${String(c['index'])}c`, delta['content']);
      for (const call of (delta['tool_calls'] as Obj[] | undefined) ?? []) {
        const fn = call['function'] as Obj;
        add(`${String(c['index'])}n${String(call['index'])}`, fn['name']);
        add(`${String(c['index'])}a${String(call['index'])}`, fn['arguments']);
      }
    }
  }
  let total = 0;
  for (const text of streams.values()) total += countTextTokens(MODEL, text);
  return total;
}

function sse(datas: string[], eol = '\n'): Buffer {
  return Buffer.from(datas.map((d) => `data: ${d}${eol}${eol}`).join(''));
}

function chatStream(seed: number, eol = '\n'): { upstream: Buffer; hidden: Buffer } {
  const random = rng(seed);
  const chunks = chatChunks();
  const upstream = chunks.map((c) => JSON.stringify(withUsage(c, null, Math.floor(random() * 8))));
  upstream.push(JSON.stringify(withUsage({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [] }, USAGE, 9)));
  upstream.push('[DONE]');
  const hidden = chunks.map((c) => JSON.stringify(c));
  hidden.push('[DONE]');
  return { upstream: sse(upstream, eol), hidden: sse(hidden, eol) };
}

const REPORTED = { inputTokens: 19, cachedInputTokens: 0, outputTokens: 12, reasoningTokens: 0 };

test('chat: without hiding, output is byte-identical under random splits and usage is read', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const { upstream } = chatStream(seed, seed % 3 === 0 ? '\r\n' : '\n');
    const { meter, out } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: false }, randomSplit(upstream, rng(seed)));
    assert.ok(out.equals(upstream), `seed ${seed}`);
    assert.deepEqual(meter.usage(), REPORTED);
    assert.equal(meter.finished(), true);
  }
});

test('chat: hidden usage leaves exactly the stream OpenAI sends without include_usage', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const eol = seed % 3 === 0 ? '\r\n' : '\n';
    const { upstream, hidden } = chatStream(seed, eol);
    const { meter, out } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, randomSplit(upstream, rng(seed)));
    assert.equal(out.toString(), hidden.toString(), `seed ${seed}`);
    assert.deepEqual(meter.usage(), REPORTED);
    assert.equal(meter.finished(), true);
    // Round trip: still valid SSE whose JSON events parse, none with a usage key, [DONE] last.
    const datas = clientEvents(out.toString());
    assert.equal(datas.at(-1), '[DONE]');
    for (const data of datas.slice(0, -1)) {
      const parsed = JSON.parse(data) as Obj;
      assert.equal('usage' in parsed, false);
      assert.ok(Array.isArray(parsed['choices']) && parsed['choices'].length > 0);
    }
  }
});

test('chat: below the fold threshold the hot path parses no JSON except the usage chunk', () => {
  const { upstream } = chatStream(7);
  const many = Buffer.concat([...Array.from({ length: 60 }, () => upstream.subarray(0, upstream.indexOf('data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[]'))), upstream]);
  assert.ok(many.length < FOLD_THRESHOLD_BYTES && many.length > 100_000);
  const original = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    parses += 1;
    return original(text, reviver);
  }) as typeof JSON.parse;
  try {
    run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, randomSplit(many, rng(1)));
  } finally {
    JSON.parse = original;
  }
  assert.equal(parses, 1);
});

test('chat: a cut-off stream counts only the whole events forwarded', () => {
  const chunks = chatChunks();
  const { upstream } = chatStream(3);
  const boundaries: number[] = [];
  for (let i = upstream.indexOf('\n\n'); i !== -1; i = upstream.indexOf('\n\n', i + 1)) boundaries.push(i + 2);
  for (let seed = 1; seed <= 60; seed++) {
    const random = rng(seed);
    const cutAt = 1 + Math.floor(random() * (boundaries[chunks.length - 1]! - 1));
    const whole = boundaries.filter((b) => b <= cutAt).length;
    for (const hideUsage of [false, true]) {
      const { meter, out } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage }, randomSplit(upstream.subarray(0, cutAt), random), { end: false });
      assert.equal(meter.finished(), false);
      assert.equal(meter.usage(), undefined);
      assert.equal(clientEvents(out.toString()).length, whole);
      assert.equal(meter.deliveredOutputTokens(), expectedChatTokens(chunks.slice(0, whole)), `seed ${seed} cut ${cutAt}`);
    }
  }
  const full = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [upstream]).meter;
  assert.equal(full.deliveredOutputTokens(), expectedChatTokens(chunks));
  assert.ok(full.deliveredOutputTokens() > 15);
});

test('chat: a trailing partial event is forwarded as-is, minus hidden usage', () => {
  const tail = 'data: {"id":"x","usage":null,"choices":[{"index":0,"delta":{"content":"hi"}}]}\n';
  const plain = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: false }, [Buffer.from(tail)]);
  assert.equal(plain.out.toString(), tail);
  const hidden = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [Buffer.from(tail)]);
  assert.equal(hidden.out.toString(), 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"hi"}}]}\n');
  assert.equal(hidden.meter.deliveredOutputTokens(), countTextTokens(MODEL, 'hi'));
  // A usage chunk cut in half is dropped when hidden, forwarded when not.
  const cutUsage = Buffer.from('data: {"id":"x","choices":[],"usage":{"prompt_tokens":3,');
  assert.equal(run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [cutUsage]).out.length, 0);
  assert.ok(run({ endpoint: 'chat.completions', model: MODEL, hideUsage: false }, [cutUsage]).out.equals(cutUsage));
  // [DONE] without its blank line still marks the end.
  const done = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [Buffer.from('data: [DONE]\n')]);
  assert.equal(done.meter.finished(), true);
});

test('chat: usage on a chunk that also has choices is kept without its usage when hidden', () => {
  const event = 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"end"},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}\n\n';
  const { meter, out } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [Buffer.from(event)]);
  assert.equal(out.toString(), 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"end"},"finish_reason":"stop"}]}\n\n');
  assert.deepEqual(meter.usage(), { inputTokens: 4, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0 });
  assert.equal(meter.deliveredOutputTokens(), countTextTokens(MODEL, 'end'));
});

test('chat: comments, errors and odd spacing pass through; the parse fallback keeps JSON valid', () => {
  const stream = ': keep-alive\n\n'
    + 'data: {"id":"x", "usage" : null ,"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
    + 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"b"}}],\n'
    + 'data: "usage":null}\n\n'
    + 'data: {"error":{"message":"boom","type":"server_error"}}\n\n';
  const { out, meter } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, [Buffer.from(stream)]);
  const datas = clientEvents(out.toString());
  assert.equal(datas.length, 3);
  for (const data of datas) assert.equal('usage' in (JSON.parse(data) as Obj), false);
  assert.ok(out.toString().startsWith(': keep-alive\n\n'));
  assert.equal(meter.deliveredOutputTokens(), countTextTokens(MODEL, 'ab'));
  assert.equal(meter.finished(), false);
});

test('completions: text deltas, hidden usage chunk', () => {
  const head = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'gpt-3.5-turbo-instruct' };
  const texts = ['This', ' is', ' a test', '.'];
  const upstream = sse([
    ...texts.map((text) => JSON.stringify({ ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: null }], usage: null })),
    JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }),
    '[DONE]',
  ]);
  for (let seed = 1; seed <= 50; seed++) {
    const { meter, out } = run({ endpoint: 'completions', model: 'gpt-3.5-turbo-instruct', hideUsage: true }, randomSplit(upstream, rng(seed)));
    assert.equal(out.toString().includes('usage'), false);
    assert.deepEqual(meter.usage(), { inputTokens: 5, cachedInputTokens: 0, outputTokens: 4, reasoningTokens: 0 });
    assert.equal(meter.finished(), true);
    assert.equal(meter.deliveredOutputTokens(), countTextTokens('gpt-3.5-turbo-instruct', texts.join('')));
  }
});

function responsesEvents(): Obj[] {
  const response = (status: string, usage: unknown): Obj => ({ id: 'resp_1', object: 'response', status, output: [], usage });
  return [
    { type: 'response.created', sequence_number: 0, response: response('in_progress', null) },
    { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
    { type: 'response.reasoning_summary_text.delta', sequence_number: 2, item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'Thinking about it.' },
    { type: 'response.output_item.added', sequence_number: 3, output_index: 1, item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] } },
    { type: 'response.output_text.delta', sequence_number: 4, item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'Hi ', logprobs: [] },
    { type: 'response.output_text.delta', sequence_number: 5, item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'thére 👋', logprobs: [] },
    { type: 'response.output_text.done', sequence_number: 6, item_id: 'msg_1', output_index: 1, content_index: 0, text: 'Hi thére 👋', logprobs: [] },
    { type: 'response.output_item.added', sequence_number: 7, output_index: 2, item: { id: 'fc_1', type: 'function_call', name: 'get_weather', arguments: '', call_id: 'c1' } },
    { type: 'response.function_call_arguments.delta', sequence_number: 8, item_id: 'fc_1', output_index: 2, delta: '{"city":"Paris"}' },
    { type: 'response.completed', sequence_number: 9, response: response('completed', {
      input_tokens: 37, input_tokens_details: { cached_tokens: 5 }, output_tokens: 11, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 48,
    }) },
  ];
}

function responsesStream(events: Obj[], named: boolean): Buffer {
  return Buffer.from(events.map((e) => `${named ? `event: ${String(e['type'])}\n` : ''}data: ${JSON.stringify(e)}\n\n`).join(''));
}

const RESPONSES_TEXT_TOKENS = countTextTokens(MODEL, 'Thinking about it.') + countTextTokens(MODEL, 'Hi thére 👋')
  + countTextTokens(MODEL, 'get_weather') + countTextTokens(MODEL, '{"city":"Paris"}');

test('responses: byte-identical pass-through, usage from response.completed, with or without event lines', () => {
  for (const named of [true, false]) {
    const upstream = responsesStream(responsesEvents(), named);
    for (let seed = 1; seed <= 100; seed++) {
      const { meter, out } = run({ endpoint: 'responses', model: MODEL, hideUsage: seed % 2 === 0 }, randomSplit(upstream, rng(seed)));
      assert.ok(out.equals(upstream));
      assert.equal(meter.finished(), true);
      assert.deepEqual(meter.usage(), { inputTokens: 37, cachedInputTokens: 5, outputTokens: 11, reasoningTokens: 4 });
      assert.equal(meter.deliveredOutputTokens(), RESPONSES_TEXT_TOKENS);
    }
  }
});

test('responses: cut-off, incomplete and failed streams', () => {
  const events = responsesEvents();
  const cut = run({ endpoint: 'responses', model: MODEL, hideUsage: false }, [responsesStream(events.slice(0, 6), true)], { end: false });
  assert.equal(cut.meter.finished(), false);
  assert.equal(cut.meter.usage(), undefined);
  assert.equal(cut.meter.deliveredOutputTokens(), countTextTokens(MODEL, 'Thinking about it.') + countTextTokens(MODEL, 'Hi thére 👋'));

  const incomplete = { type: 'response.incomplete', sequence_number: 5, response: { status: 'incomplete', usage: {
    input_tokens: 9, input_tokens_details: { cached_tokens: 0 }, output_tokens: 16, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 25,
  } } };
  const inc = run({ endpoint: 'responses', model: MODEL, hideUsage: false }, [responsesStream([...events.slice(0, 5), incomplete], false)]);
  assert.equal(inc.meter.finished(), true);
  assert.deepEqual(inc.meter.usage(), { inputTokens: 9, cachedInputTokens: 0, outputTokens: 16, reasoningTokens: 0 });

  const failed = { type: 'response.failed', sequence_number: 2, response: { status: 'failed', error: { code: 'server_error' }, usage: null } };
  const fail = run({ endpoint: 'responses', model: MODEL, hideUsage: false }, [responsesStream([events[0]!, failed], true)]);
  assert.equal(fail.meter.finished(), true);
  assert.equal(fail.meter.usage(), undefined);
});

test('long streams fold their retained events and still count every delivered token', () => {
  const head = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
  const words: string[] = [];
  const datas: string[] = [];
  for (let i = 0; i < 12_000; i++) {
    const word = ` word${i % 97}`;
    words.push(word);
    datas.push(JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }], usage: null }));
  }
  const upstream = sse(datas);
  assert.ok(upstream.length > 2 * 1024 * 1024);
  const { meter } = run({ endpoint: 'chat.completions', model: MODEL, hideUsage: true }, randomSplit(upstream, rng(5)), { end: false });
  assert.equal(meter.deliveredOutputTokens(), countTextTokens(MODEL, words.join('')));
});

test('arbitrary bytes never throw; without hiding they pass through unchanged', () => {
  const atoms = ['data: ', 'data:', 'event: response.completed\n', '\n', '\r\n', '\n\n', '"usage"', ':', 'null', '{', '}', ',',
    '"choices":[]', '[DONE]', '"response.completed"', 'delta"', 'é', '👋', '{"usage":{"prompt_tokens":1,"completion_tokens":2}}', ' '];
  for (let seed = 1; seed <= 300; seed++) {
    const random = rng(seed);
    const text = Array.from({ length: 1 + Math.floor(random() * 60) }, () => atoms[Math.floor(random() * atoms.length)]!).join('');
    const bytes = Buffer.from(text);
    for (const endpoint of ['chat.completions', 'completions', 'responses'] as const) {
      const plain = run({ endpoint, model: MODEL, hideUsage: false }, randomSplit(bytes, random));
      assert.ok(plain.out.equals(bytes), `seed ${seed} ${endpoint}`);
      assert.ok(plain.meter.deliveredOutputTokens() >= 0);
      const hidden = run({ endpoint, model: MODEL, hideUsage: true }, randomSplit(bytes, random));
      assert.ok(hidden.meter.deliveredOutputTokens() >= 0);
    }
  }
});
