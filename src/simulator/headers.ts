// Response headers the simulator sends: OpenAI's (request id, processing time, version, rate limits) plus its own
// `x-tollgate-simulated: true` so nobody mistakes it for the real API.
import type { OutgoingHttpHeaders } from 'node:http';

export const JSON_TYPE = 'application/json';
export const SSE_TYPE = 'text/event-stream; charset=utf-8';

const RATE_LIMIT_REQUESTS = 10_000;
const RATE_LIMIT_TOKENS = 30_000_000;

export function responseHeaders(contentType: string, requestId: string, processingMs: number): OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    'x-tollgate-simulated': 'true',
    'x-request-id': requestId,
    'openai-organization': 'tollgate-simulator',
    'openai-processing-ms': String(Math.max(0, Math.round(processingMs))),
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': String(RATE_LIMIT_REQUESTS),
    'x-ratelimit-limit-tokens': String(RATE_LIMIT_TOKENS),
    'x-ratelimit-remaining-requests': String(RATE_LIMIT_REQUESTS - 1),
    'x-ratelimit-remaining-tokens': String(RATE_LIMIT_TOKENS - 1_000),
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-reset-tokens': '2ms',
    ...(contentType === SSE_TYPE ? { 'cache-control': 'no-cache' } : {}),
  };
}
