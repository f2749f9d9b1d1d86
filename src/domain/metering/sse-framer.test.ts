import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseFramer } from './sse-framer.js';

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

/** Splits bytes at random positions (1-byte pieces and mid-UTF-8 cuts included). */
function randomSplit(bytes: Buffer, random: () => number, maxPiece = 64): Buffer[] {
  const pieces: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const size = 1 + Math.floor(random() * Math.min(maxPiece, bytes.length - pos));
    pieces.push(Buffer.from(bytes.subarray(pos, pos + size)));
    pos += size;
  }
  return pieces;
}

function frame(pieces: Buffer[]): { events: string[]; rest: string | null } {
  const framer = new SseFramer();
  const events: string[] = [];
  for (const piece of pieces) for (const event of framer.push(piece)) events.push(event.toString('utf8'));
  const rest = framer.flush();
  return { events, rest: rest === null ? null : rest.toString('utf8') };
}

test('splits events on LF and CRLF blank lines, keeping the bytes', () => {
  const stream = 'data: a\n\nevent: x\r\ndata: b\r\n\r\n: comment\ndata: c\ndata: d\n\n\ndata: tail';
  const { events, rest } = frame([Buffer.from(stream)]);
  assert.deepEqual(events, ['data: a\n\n', 'event: x\r\ndata: b\r\n\r\n', ': comment\ndata: c\ndata: d\n\n', '\n']);
  assert.equal(rest, 'data: tail');
});

test('any split of the input yields the same events and bytes', () => {
  const stream = Buffer.from(
    'data: {"text":"héllo 👋 wörld"}\n\n'
    + 'event: response.output_text.delta\r\ndata: {"delta":"日本語"}\r\n\r\n'
    + ':\n\n'
    + 'data: one\r\ndata: two\n\n'
    + 'data: [DONE]\n\n'
    + 'data: partial',
  );
  const expected = frame([stream]);
  for (let seed = 1; seed <= 300; seed++) {
    const random = rng(seed);
    const got = frame(randomSplit(stream, random, 1 + Math.floor(random() * 40)));
    assert.deepEqual(got, expected, `seed ${seed}`);
  }
  assert.equal(expected.events.join('') + expected.rest, stream.toString('utf8'));
});

test('a CR and LF arriving in different chunks still end an event', () => {
  const { events, rest } = frame([Buffer.from('data: x\r\n\r'), Buffer.from('\ndata: y\r'), Buffer.from('\n\r\n')]);
  assert.deepEqual(events, ['data: x\r\n\r\n', 'data: y\r\n\r\n']);
  assert.equal(rest, null);
});

test('a one-byte line that is not CR is not a blank line', () => {
  const { events, rest } = frame([Buffer.from('data: x\nz'), Buffer.from('\n\n')]);
  assert.deepEqual(events, ['data: x\nz\n\n']);
  assert.equal(rest, null);
});

test('large events split into many chunks are reassembled in linear time', () => {
  const big = Buffer.from(`data: ${'x'.repeat(4_000_000)}\n\n`);
  const framer = new SseFramer();
  const started = process.hrtime.bigint();
  const events: Buffer[] = [];
  for (let pos = 0; pos < big.length; pos += 1024) events.push(...framer.push(big.subarray(pos, pos + 1024)));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(events.length, 1);
  assert.ok(events[0]!.equals(big));
  assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
});
