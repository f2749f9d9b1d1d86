import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalForm } from './canonical.js';
import { cacheKey } from './cache-key.js';
import { uncacheableReason } from './cacheable.js';
import { governingSetting, type CacheSetting } from './settings.js';
import { hitCharge } from './hit-price.js';
import { decodeAnswer, encodeAnswer } from './cached-answer.js';

const body = (text: string) => JSON.parse(text) as Record<string, unknown>;

test('key order and whitespace do not change the key', () => {
  const a = body('{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"hi"}]}');
  const b = body('{\n  "messages": [ { "content": "hi", "role": "user" } ],\n  "temperature": 0.0,\n  "model": "gpt-4o-mini"\n}');
  assert.equal(canonicalForm(a), canonicalForm(b));
  const served = { model: 'gpt-4o-mini', maxOutputTokens: 100 };
  assert.equal(cacheKey('acct_1', 'chat.completions', served, a).digest, cacheKey('acct_1', 'chat.completions', served, b).digest);
});

test('every output-changing difference changes the key: a parameter, the model, array order, the endpoint, the account', () => {
  const base = { model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: 'hi' }] };
  const served = { model: 'gpt-4o-mini', maxOutputTokens: 100 };
  const k = (acct: string, b: Record<string, unknown>, ep: 'chat.completions' | 'completions' = 'chat.completions', as = served) => cacheKey(acct, ep, as, b).digest;
  const ref = k('acct_1', base);
  assert.notEqual(k('acct_1', { ...base, temperature: 0.5 }), ref);
  assert.notEqual(k('acct_1', { ...base, model: 'gpt-4o' }), ref);
  assert.notEqual(k('acct_1', { ...base, max_tokens: 5 }), ref);
  assert.notEqual(k('acct_1', { ...base, stream: true }), ref);
  assert.notEqual(k('acct_1', { ...base, messages: [{ role: 'user', content: 'hi!' }] }), ref);
  assert.notEqual(k('acct_1', { ...base, messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'hi' }] }),
    k('acct_1', { ...base, messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'x' }] }));
  assert.notEqual(k('acct_1', base, 'completions'), ref);
  assert.notEqual(k('acct_2', base), ref, 'the account is part of the key');
  assert.notEqual(k('acct_1', base, 'chat.completions', { ...served, model: 'gpt-4.1-mini' }), ref, 'so is the model that serves it');
  assert.notEqual(k('acct_1', base, 'chat.completions', { ...served, maxOutputTokens: 99 }), ref, 'and the output cap sent upstream');
  // Fields that do not change the answer are left out.
  assert.equal(k('acct_1', { ...base, user: 'end-user-7', metadata: { a: '1' } }), ref);
});

test('canonical form is exact for nested values, strings needing escapes, and null', () => {
  assert.equal(canonicalForm({ b: [1, { d: null, c: 'x"\n' }], a: true, e: 1.5, f: false }), '{1"at1"b[n1;{1"c3"x"\n1"dz}]1"en1.5;1"ff}');
  assert.equal(canonicalForm({ keep: 1, user: 'u' }, new Set(['user'])), '{4"keepn1;}');
  assert.equal(canonicalForm({ a: undefined, b: [] }), '{1"b[]}');
  assert.equal(canonicalForm('\uD800'), `8'"\\ud800"`, 'a lone surrogate is escaped');
});

test('canonical form is injective: values that a naive concatenation would confuse all differ', () => {
  const values: unknown[] = [
    ['ab', 'c'], ['a', 'bc'], ['abc'], 'abc', '1"a', ['1"a'], [1, 'a'], { a: '1"b' }, { a: 1, b: 'x' }, { a: '1', b: 'x' },
    1, '1', 'n1;', 10, [1, 0], true, 'true', 't', null, 'null', 'z', [], {}, [[]], [{}], '', [''], [[1], 2], [[1, 2]],
    { '': '' }, { ab: 'c' }, { a: 'bc' }, '\uD800', '\uFFFD', '\uDC00\uD800', '\uD83D\uDE00', '\u00e9', 'e\u0301',
    `"\\ud800"`, { a: { b: 1 } }, { a: { b: 1 }, c: 1 }, { 'a"': 1 }, { a: 1 }, 0.1, 1e21, -1, '-1',
  ];
  const forms = new Map<string, unknown>();
  for (const v of values) {
    const form = canonicalForm(v);
    assert.ok(!forms.has(form), `${JSON.stringify(v)} and ${JSON.stringify(forms.get(form))} share the form ${form}`);
    forms.set(form, v);
  }
  // Equal after a JSON round trip means equal form, whatever the key order or the spelling of a number.
  assert.equal(canonicalForm(JSON.parse('{"x":[1.0,2e0],"s":"\\u00e9"}')), canonicalForm({ s: '\u00e9', x: [1, 2] }));
});

test('documented non-determinism rule: several samples at temperature ≠ 0 and conversations are not cached', () => {
  const msgs = [{ role: 'user', content: 'hi' }];
  assert.equal(uncacheableReason('chat.completions', { messages: msgs }), undefined);
  assert.equal(uncacheableReason('chat.completions', { messages: msgs, temperature: 1.2 }), undefined);
  assert.equal(uncacheableReason('chat.completions', { messages: msgs, n: 2 }), 'several_samples');
  assert.equal(uncacheableReason('chat.completions', { messages: msgs, n: 2, temperature: 0.3 }), 'several_samples');
  assert.equal(uncacheableReason('chat.completions', { messages: msgs, n: 2, temperature: 0 }), undefined);
  assert.equal(uncacheableReason('completions', { prompt: 'x', best_of: 3 }), 'several_samples');
  assert.equal(uncacheableReason('responses', { input: 'x', conversation: 'conv_1' }), 'conversation_state');
  assert.equal(uncacheableReason('embeddings', { input: 'x', n: 5 }), undefined);
});

test('the most specific setting governs: key, then project, then account', () => {
  const s = (scope: CacheSetting['scope'], scopeId: string, ttlSeconds: number, enabled = true): CacheSetting =>
    ({ accountId: 'acct_1', scope, scopeId, enabled, ttlSeconds, updatedAt: 0 });
  const all = [s('account', 'acct_1', 60), s('project', 'proj_1', 120), s('key', 'key_1', 0, false)];
  assert.equal(governingSetting(all, 'proj_1', 'key_1')?.enabled, false);
  assert.equal(governingSetting(all, 'proj_1', 'key_2')?.ttlSeconds, 120);
  assert.equal(governingSetting(all, 'proj_2', 'key_2')?.ttlSeconds, 60);
  assert.equal(governingSetting([], 'proj_1', 'key_1'), undefined);
  assert.equal(governingSetting(undefined, null, null), undefined);
});

test('hit charge is a whole percentage in integers; saved + cost = full', () => {
  assert.deepEqual(hitCharge(1_000_003n, 0), { cost: 0n, saved: 1_000_003n });
  assert.deepEqual(hitCharge(1_000_003n, 10), { cost: 100_000n, saved: 900_003n });
  assert.deepEqual(hitCharge(1_000_003n, 100), { cost: 1_000_003n, saved: 0n });
  assert.throws(() => hitCharge(1n, 101), RangeError);
});

test('answers round-trip through their encoding; garbage decodes to undefined', () => {
  const a = { status: 200, contentType: 'text/event-stream', stream: true, body: Buffer.from('data: {"x":1}\n\ndata: [DONE]\n\n'), storedAt: 5, usage: { inputTokens: 3, cachedInputTokens: 1, outputTokens: 4, reasoningTokens: 0 } };
  const back = decodeAnswer(encodeAnswer(a));
  assert.ok(back);
  assert.deepEqual({ ...back, body: back.body.toString() }, { ...a, body: a.body.toString() });
  assert.equal(decodeAnswer(Buffer.from('nonsense')), undefined);
  assert.equal(decodeAnswer(Buffer.from('{"v":2}\nx')), undefined);
});
