import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitHeaders } from './headers.js';
import { refusalMessage, refusalType } from './refusal-message.js';

const scope = { accountId: 'acct_x', projectId: 'proj_y', model: 'gpt-4o' };

test('rateLimitHeaders: OpenAI\'s six headers, resets in its duration form', () => {
  assert.deepEqual(rateLimitHeaders({
    requests: { limit: 5000, remaining: 4999, resetMs: 12 },
    tokens: { limit: 160_000, remaining: 159_976, resetMs: 360_000 },
  }), {
    'x-ratelimit-limit-requests': '5000',
    'x-ratelimit-remaining-requests': '4999',
    'x-ratelimit-reset-requests': '12ms',
    'x-ratelimit-limit-tokens': '160000',
    'x-ratelimit-remaining-tokens': '159976',
    'x-ratelimit-reset-tokens': '6m0s',
  });
  assert.deepEqual(rateLimitHeaders({ requests: { limit: 3, remaining: 0, resetMs: 1000 }, tokens: null }), {
    'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s',
  });
  assert.deepEqual(rateLimitHeaders({ requests: null, tokens: null }), {});
});

test('refusalMessage: OpenAI\'s wording for RPM, TPM, RPD, a project limit and a request too large', () => {
  assert.equal(
    refusalMessage({ dimension: 'rpm', level: 'account', limit: 3, used: 3, requested: 1, retryAfterMs: 20_000 }, scope),
    'Rate limit reached for gpt-4o in organization acct_x on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
  );
  assert.equal(
    refusalMessage({ dimension: 'tpm', level: 'account', limit: 30_000, used: 29_937, requested: 385, retryAfterMs: 644 }, scope),
    'Rate limit reached for gpt-4o in organization acct_x on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms.',
  );
  assert.equal(
    refusalMessage({ dimension: 'rpd', level: 'account', limit: 1000, used: 1000, requested: 1, retryAfterMs: 86_400 }, scope),
    'Rate limit reached for gpt-4o in organization acct_x on requests per day (RPD): Limit 1000, Used 1000, Requested 1. Please try again in 1m26.4s.',
  );
  assert.equal(
    refusalMessage({ dimension: 'rpm', level: 'project', limit: 2, used: 2, requested: 1, retryAfterMs: 30_000 }, scope),
    'Rate limit reached for gpt-4o in project proj_y of organization acct_x on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 30s.',
  );
  assert.equal(
    refusalMessage({ dimension: 'tpm', level: 'account', limit: 30_000, used: 0, requested: 31_538, retryAfterMs: null }, scope),
    'Request too large for gpt-4o in organization acct_x on tokens per min (TPM): Limit 30000, Requested 31538. The input or output tokens must be reduced in order to run successfully.',
  );
  assert.equal(refusalType({ dimension: 'rpd', level: 'account', limit: 1, used: 1, requested: 1, retryAfterMs: 1 }), 'requests');
  assert.equal(refusalType({ dimension: 'tpm', level: 'account', limit: 1, used: 1, requested: 1, retryAfterMs: 1 }), 'tokens');
});
