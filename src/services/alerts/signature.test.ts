import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { newWebhookSecret, signWebhookPayload, verifyWebhookSignature } from './signature.js';

const secret = 'whsec_test_0123456789abcdef';
const body = '{"id":"evt_1","type":"low_balance","data":{"available":"4.2"}}';
const t = 1_764_000_000;
const now = t * 1000 + 1_500;

test('a signature made by the documented scheme verifies', () => {
  const header = signWebhookPayload(body, secret, t);
  // The scheme, computed independently: hex HMAC-SHA256 over "<t>.<raw body>".
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  assert.equal(header, `t=${t},v1=${v1}`);
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now }), { valid: true, timestamp: t });
  assert.deepEqual(verifyWebhookSignature(Buffer.from(body), [header], secret, { now }), { valid: true, timestamp: t });
  // Several v1 values (a receiver rotating secrets, or a sender sending two) pass when one matches.
  const other = signWebhookPayload(body, 'whsec_other_secret_000', t).split(',')[1];
  assert.equal(verifyWebhookSignature(body, `t=${t},${other},v1=${v1}`, secret, { now }).valid, true);
});

test('a tampered body fails', () => {
  const header = signWebhookPayload(body, secret, t);
  const tampered = body.replace('4.2', '42');
  assert.deepEqual(verifyWebhookSignature(tampered, header, secret, { now }), { valid: false, reason: 'bad_signature' });
  assert.deepEqual(verifyWebhookSignature(`${body} `, header, secret, { now }), { valid: false, reason: 'bad_signature' });
});

test('a wrong secret fails', () => {
  const header = signWebhookPayload(body, secret, t);
  assert.deepEqual(verifyWebhookSignature(body, header, 'whsec_wrong_0123456789ab', { now }), { valid: false, reason: 'bad_signature' });
});

test('a stale (replayed) or far-future timestamp fails, even with a valid signature', () => {
  const header = signWebhookPayload(body, secret, t);
  assert.equal(verifyWebhookSignature(body, header, secret, { now: (t + 300) * 1000 }).valid, true, 'at the tolerance edge');
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: (t + 301) * 1000 }), { valid: false, reason: 'stale_timestamp' });
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: (t - 301) * 1000 }), { valid: false, reason: 'stale_timestamp' });
  assert.equal(verifyWebhookSignature(body, header, secret, { now: (t + 3600) * 1000, toleranceSeconds: 3600 }).valid, true);
  // Moving the timestamp forward breaks the signature, since t is signed.
  const moved = header.replace(`t=${t}`, `t=${t + 1000}`);
  assert.deepEqual(verifyWebhookSignature(body, moved, secret, { now: (t + 1000) * 1000 }), { valid: false, reason: 'bad_signature' });
});

test('missing or malformed headers fail', () => {
  for (const header of [undefined, null, '', []]) {
    assert.deepEqual(verifyWebhookSignature(body, header, secret, { now }), { valid: false, reason: 'missing_header' });
  }
  for (const header of ['garbage', `t=${t}`, 'v1=' + 'a'.repeat(64), `t=abc,v1=${'a'.repeat(64)}`, `t=${t},v1=xyz`, `t=${t},t=${t},v1=${'a'.repeat(64)}`]) {
    assert.deepEqual(verifyWebhookSignature(body, header, secret, { now }), { valid: false, reason: 'malformed_header' }, header);
  }
});

test('new secrets are long and distinct', () => {
  const a = newWebhookSecret();
  assert.match(a, /^whsec_[0-9A-Za-z]{43,}$/);
  assert.notEqual(a, newWebhookSecret());
});

test('the verification example in the README accepts what Tollgate signs and rejects the rest', async () => {
  const { readFileSync } = await import('node:fs');
  const { timingSafeEqual } = await import('node:crypto');
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('function verify(');
  const source = readme.slice(start, readme.indexOf('\n}\n', start) + 3);
  assert.ok(start > 0 && source.length > 100, 'README carries the example');
  const verify = new Function('createHmac', 'timingSafeEqual', `${source}; return verify;`)(createHmac, timingSafeEqual) as
    (raw: Buffer, header: string | undefined, secret: string) => boolean;
  const fresh = Math.floor(Date.now() / 1000);
  const header = signWebhookPayload(body, secret, fresh);
  assert.equal(verify(Buffer.from(body), header, secret), true);
  assert.equal(verify(Buffer.from(`${body} `), header, secret), false);
  assert.equal(verify(Buffer.from(body), header, 'whsec_wrong_0123456789ab'), false);
  assert.equal(verify(Buffer.from(body), signWebhookPayload(body, secret, fresh - 301), secret), false);
  assert.equal(verify(Buffer.from(body), undefined, secret), false);
});
