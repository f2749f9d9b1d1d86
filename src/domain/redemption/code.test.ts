import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_ALPHABET, CODE_ENTROPY_BITS, codeHint, generateCode, groupCode, hashCode, normalizeCode } from './code.js';
import { batchProblem, grantExpiry } from './batch.js';
import { codesCsv, CSV_HEADER, csvField } from './csv.js';

test('codes are 16 symbols of an unambiguous 32-symbol alphabet, grouped by four: 80 bits', () => {
  assert.equal(CODE_ALPHABET.length, 32);
  assert.equal(new Set(CODE_ALPHABET).size, 32);
  for (const ch of '01OI') assert.ok(!CODE_ALPHABET.includes(ch), `${ch} is ambiguous`);
  assert.ok(CODE_ENTROPY_BITS >= 80);
  for (let i = 0; i < 200; i++) assert.match(generateCode(), /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
});

test('every symbol is used uniformly: a byte maps to byte & 31', () => {
  const counts = new Map<string, number>();
  for (let b = 0; b < 256; b += 16) {
    const code = generateCode(() => Buffer.alloc(16, b));
    counts.set(code[0]!, (counts.get(code[0]!) ?? 0) + 1);
  }
  // 16 byte values, 0..240 step 16: & 31 gives 0 and 16 alternately.
  assert.deepEqual([...counts.keys()].sort(), [CODE_ALPHABET[0], CODE_ALPHABET[16]].sort());
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) for (const ch of generateCode().replace(/-/g, '')) seen.add(ch);
  assert.equal(seen.size, 32, 'random codes reach every symbol');
  const many = new Set(Array.from({ length: 5000 }, () => generateCode()));
  assert.equal(many.size, 5000, 'no collisions in 5,000 codes');
});

test('typed input is normalised; what cannot be a code is refused', () => {
  const code = generateCode();
  const canonical = code.replace(/-/g, '');
  assert.equal(normalizeCode(code), canonical);
  assert.equal(normalizeCode(` ${code.toLowerCase()} `), canonical);
  assert.equal(normalizeCode(canonical.match(/.{1,2}/g)!.join(' ')), canonical);
  assert.equal(normalizeCode(code.slice(0, -1)), undefined);
  assert.equal(normalizeCode(`${code}A`), undefined);
  assert.equal(normalizeCode('0000-0000-0000-0000'), undefined);
  assert.equal(groupCode(canonical), code);
});

test('the stored hash is SHA-256 hex of the canonical code: stable, distinct per code, not the code', () => {
  const a = normalizeCode(generateCode())!;
  const b = normalizeCode(generateCode())!;
  assert.match(hashCode(a), /^[0-9a-f]{64}$/);
  assert.equal(hashCode(a), hashCode(normalizeCode(groupCode(a).toLowerCase())!));
  assert.notEqual(hashCode(a), hashCode(b));
  assert.ok(!hashCode(a).includes(a.toLowerCase()));
  assert.equal(codeHint(a), `…-${a.slice(12)}`);
});

test('batch requests are checked field by field', () => {
  const now = 1_000_000;
  const ok = { amount: 10n, count: 5, expiresAt: null, perAccountLimit: null, grantExpiresDays: null, note: null };
  assert.equal(batchProblem(ok, now), undefined);
  assert.equal(batchProblem({ ...ok, amount: 0n }, now)?.[0], 'amount');
  assert.equal(batchProblem({ ...ok, count: 0 }, now)?.[0], 'count');
  assert.equal(batchProblem({ ...ok, count: 10_001 }, now)?.[0], 'count');
  assert.equal(batchProblem({ ...ok, count: 1.5 }, now)?.[0], 'count');
  assert.equal(batchProblem({ ...ok, expiresAt: now }, now)?.[0], 'expires_at');
  assert.equal(batchProblem({ ...ok, perAccountLimit: 0 }, now)?.[0], 'per_account_limit');
  assert.equal(batchProblem({ ...ok, grantExpiresDays: 0 }, now)?.[0], 'grant_expires_days');
  assert.equal(grantExpiry(null, now), null);
  assert.equal(grantExpiry(2, now), now + 2 * 86_400_000);
});

test('the CSV lists every code with its batch, credits and expiry; odd fields are quoted', () => {
  const csv = codesCsv({ batchId: 'rbatch_1', amount: 12_500_000_000_000n, expiresAt: Date.UTC(2030, 0, 1) }, [
    { code: 'AAAA-BBBB-CCCC-DDDD', codeId: 'rcode_1' }, { code: 'EEEE-FFFF-GGGG-HHHH', codeId: 'rcode_2' },
  ]);
  assert.equal(csv, `${CSV_HEADER}\r\nAAAA-BBBB-CCCC-DDDD,rcode_1,rbatch_1,12.5,2030-01-01T00:00:00.000Z\r\n`
    + 'EEEE-FFFF-GGGG-HHHH,rcode_2,rbatch_1,12.5,2030-01-01T00:00:00.000Z\r\n');
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  assert.equal(csvField('plain'), 'plain');
});
