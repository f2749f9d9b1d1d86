import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPLY_TOKENS, TOKENS_PER_CHUNK, capText, longReplyText, replyText, streamChunks } from './reply.js';
import { encodeText } from './tokens.js';

test('the reply is marked as simulated, quotes the first 40 characters and is deterministic', () => {
  const question = 'What is the capital of France, and why is it Paris rather than Lyon?';
  const a = replyText('o200k_base', question);
  assert.equal(a, replyText('o200k_base', question));
  assert.ok(a.startsWith('[simulated] Simulated reply to: "What is the capital of France, and why i…"'), a);
  assert.notEqual(a, replyText('o200k_base', 'Something else'));
});

test('the reply is padded to REPLY_TOKENS tokens of the model tokenizer', () => {
  for (const enc of ['o200k_base', 'cl100k_base'] as const) {
    const text = replyText(enc, 'hi');
    const n = encodeText(enc, text).length;
    assert.ok(Math.abs(n - REPLY_TOKENS) <= 1, `${enc}: ${n}`);
  }
});

test('unicode in the question survives quoting', () => {
  const text = replyText('o200k_base', 'Grüße aus Köln 😀 日本語');
  assert.ok(text.includes('Grüße aus Köln 😀 日本語'), text);
  assert.ok(!text.includes('\uFFFD'));
});

test('capText keeps the text under the cap and says when it cut', () => {
  const text = replyText('o200k_base', 'hello');
  const full = capText('o200k_base', text, undefined);
  assert.equal(full.truncated, false);
  assert.equal(full.text, text);
  const cut = capText('o200k_base', text, 5);
  assert.equal(cut.truncated, true);
  assert.equal(cut.tokens, 5);
  assert.ok(text.startsWith(cut.text));
  assert.equal(capText('o200k_base', text, 0).text, '');
  assert.equal(capText('o200k_base', text, 1000).truncated, false);
});

test('stream chunks join back to the text, a few tokens each', () => {
  const text = replyText('cl100k_base', 'Grüße 😀 and a longer question here');
  const chunks = streamChunks('cl100k_base', text);
  assert.equal(chunks.join(''), text);
  assert.equal(chunks.length, Math.ceil(encodeText('cl100k_base', text).length / TOKENS_PER_CHUNK));
  assert.ok(chunks.every((c) => c.length > 0));
});

test('a long reply streams as exactly the requested number of chunks', () => {
  const text = longReplyText('o200k_base', 'q', 250);
  const chunks = streamChunks('o200k_base', text, 250);
  assert.equal(chunks.length, 250);
  assert.equal(chunks.join(''), text);
});
