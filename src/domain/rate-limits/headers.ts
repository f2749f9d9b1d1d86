// The x-ratelimit-* response headers OpenAI sends, from a check's status.
import { formatDuration } from './duration.js';
import type { RateLimitStatus } from './evaluate.js';

/** OpenAI's six headers; a trio is left out for a dimension that has no limit. */
export function rateLimitHeaders(status: RateLimitStatus): Record<string, string> {
  const headers: Record<string, string> = {};
  if (status.requests) {
    headers['x-ratelimit-limit-requests'] = String(status.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(status.requests.remaining);
    headers['x-ratelimit-reset-requests'] = formatDuration(status.requests.resetMs);
  }
  if (status.tokens) {
    headers['x-ratelimit-limit-tokens'] = String(status.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(status.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = formatDuration(status.tokens.resetMs);
  }
  return headers;
}
