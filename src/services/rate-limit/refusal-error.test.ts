import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitExceededError } from '../../http/errors.js';
import { rateLimitExceeded } from './refusal-error.js';

const scope = { accountId: 'acct_x', projectId: 'proj_x', model: 'gpt-4o' };

test('rateLimitExceeded: a 429 rate_limit_exceeded with rounded-up retry-after and exact retry-after-ms', () => {
  const error = rateLimitExceeded({
    allowed: false,
    status: { requests: { limit: 500, remaining: 12, resetMs: 1_400 }, tokens: { limit: 30_000, remaining: 63, resetMs: 59_874 } },
    refusal: { dimension: 'tpm', level: 'account', limit: 30_000, used: 29_937, requested: 385, retryAfterMs: 644 },
  }, scope);
  assert.ok(error instanceof RateLimitExceededError);
  assert.equal(error.status, 429);
  assert.equal(error.retryAfterMs, 644);
  assert.deepEqual(error.toBody(), { error: {
    message: 'Rate limit reached for gpt-4o in organization acct_x on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.',
    type: 'tokens', param: null, code: 'rate_limit_exceeded',
  } });
  assert.deepEqual(error.headers, {
    'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '12', 'x-ratelimit-reset-requests': '1.4s',
    'x-ratelimit-limit-tokens': '30000', 'x-ratelimit-remaining-tokens': '63', 'x-ratelimit-reset-tokens': '59.874s',
    'retry-after': '1', 'retry-after-ms': '644',
  });
});

test('RateLimitExceededError: retry-after rounds whole seconds up', () => {
  assert.equal(new RateLimitExceededError('m', { type: 'requests', retryAfterMs: 20_000 }).headers['retry-after'], '20');
  assert.equal(new RateLimitExceededError('m', { type: 'requests', retryAfterMs: 20_001 }).headers['retry-after'], '21');
  assert.equal(new RateLimitExceededError('m', { type: 'requests', retryAfterMs: 20_001 }).headers['retry-after-ms'], '20001');
});
