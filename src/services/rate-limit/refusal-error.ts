// Turns a refused check into the error the client sees: OpenAI's rate_limit_exceeded 429 with the x-ratelimit-*
// headers and retry-after / retry-after-ms.
import { rateLimitHeaders } from '../../domain/rate-limits/headers.js';
import { refusalMessage, refusalType } from '../../domain/rate-limits/refusal-message.js';
import type { CheckOutcome } from '../../domain/rate-limits/evaluate.js';
import { RateLimitExceededError } from '../../http/errors.js';
import type { RateLimitScope } from './rate-limiter.js';

export function rateLimitExceeded(outcome: Extract<CheckOutcome, { allowed: false }>, scope: RateLimitScope): RateLimitExceededError {
  const { refusal } = outcome;
  return new RateLimitExceededError(refusalMessage(refusal, scope), {
    type: refusalType(refusal),
    retryAfterMs: refusal.retryAfterMs,
    headers: rateLimitHeaders(outcome.status),
  });
}
