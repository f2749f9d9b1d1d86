import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findUsageMember, nullUsageCut } from './hide-usage.js';

function strip(text: string): string | undefined {
  const bytes = Buffer.from(text);
  const member = findUsageMember(bytes);
  if (member === undefined) return undefined;
  const cut = nullUsageCut(bytes, member.keyAt);
  if (cut === undefined) return undefined;
  return Buffer.concat([bytes.subarray(0, cut[0]), bytes.subarray(cut[1])]).toString();
}

test('removes "usage":null as first, middle, last or only member', () => {
  assert.equal(strip('data: {"usage":null,"id":"a","choices":[]}\n\n'), 'data: {"id":"a","choices":[]}\n\n');
  assert.equal(strip('data: {"id":"a","usage":null,"choices":[]}\n\n'), 'data: {"id":"a","choices":[]}\n\n');
  assert.equal(strip('data: {"id":"a","choices":[{"delta":{}}],"usage":null}\n\n'), 'data: {"id":"a","choices":[{"delta":{}}]}\n\n');
  assert.equal(strip('data: {"usage":null}\n\n'), 'data: {}\n\n');
});

test('tolerates blanks around the member', () => {
  for (const text of ['{"id": "a", "usage": null}', '{"usage" : null , "id": "a"}', '{ "usage":null }', '{"a":1,\t"usage":\tnull\t}']) {
    const stripped = strip(text);
    assert.ok(stripped !== undefined, text);
    const parsed = JSON.parse(stripped) as Record<string, unknown>;
    assert.equal('usage' in parsed, false);
    assert.deepEqual(parsed, Object.fromEntries(Object.entries(JSON.parse(text) as object).filter(([k]) => k !== 'usage')));
  }
});

test('text that merely mentions usage is not a member', () => {
  // Inside a JSON string the quotes are escaped, so the key pattern cannot match there.
  assert.equal(findUsageMember(Buffer.from('{"content":"the \\"usage\\": null field"}')), undefined);
  // "usage" as a value is skipped, and the real key after it is found.
  const bytes = Buffer.from('{"object":"usage","usage":null}');
  assert.equal(findUsageMember(bytes)?.keyAt, 18);
  assert.equal(strip('{"object":"usage","usage":null}'), '{"object":"usage"}');
});

test('non-null or oddly placed usage is left for the parse fallback', () => {
  assert.equal(strip('{"usage":{"prompt_tokens":1}}'), undefined);
  assert.equal(strip('["usage":null]'), undefined);
  assert.equal(strip('{"usage":nullx,"a":1}'), undefined);
});
