// The output-token cap and the number of generated choices a request asks for: the output side of a hold.
import type { Endpoint } from './endpoint.js';

/** /v1/completions generates at most 16 tokens when max_tokens is absent or null (OpenAI's documented default). */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/**
 * The request's own output cap per choice: `max_completion_tokens`, else `max_tokens` (chat, completions),
 * `max_output_tokens` (responses); 0 for embeddings. Completions without one get OpenAI's default of 16.
 * undefined when the request sets none (the caller falls back to a policy cap or the model's maximum)
 * or when the value is not a non-negative safe integer (the HTTP layer rejects such requests).
 */
export function requestedOutputCap(endpoint: Endpoint, body: Record<string, unknown>): number | undefined {
  switch (endpoint) {
    case 'embeddings':
      return 0;
    case 'responses':
      return capValue(body['max_output_tokens']);
    case 'chat.completions':
    case 'completions': {
      const primary = body['max_completion_tokens'];
      if (primary !== undefined && primary !== null) return capValue(primary);
      const legacy = body['max_tokens'];
      if (legacy !== undefined && legacy !== null) return capValue(legacy);
      return endpoint === 'completions' ? COMPLETIONS_DEFAULT_MAX_TOKENS : undefined;
    }
    default:
      return undefined;
  }
}

function capValue(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * How many completions the upstream generates (and bills) for one request: `n` for chat and completions,
 * or completions' `best_of` when larger; 1 otherwise. Absent, null or invalid values count as 1.
 */
export function choiceCount(endpoint: Endpoint, body: Record<string, unknown>): number {
  if (endpoint !== 'chat.completions' && endpoint !== 'completions') return 1;
  const n = countValue(body['n']);
  return endpoint === 'completions' ? Math.max(n, countValue(body['best_of'])) : n;
}

function countValue(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : 1;
}
