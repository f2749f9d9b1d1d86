// Which requests the cache may answer. The rule is deliberately simple and predictable: a request that asks for
// several different samples in one call is not cached; everything else an account opted into is.
import type { Endpoint } from '../metering/endpoint.js';

export type Uncacheable = 'several_samples' | 'conversation_state';

/**
 * Undefined when the request may be cached, else why not:
 * - `n > 1` (or `best_of > 1` on completions) with a temperature other than 0 (absent = OpenAI's default of 1):
 *   the caller asked for different answers, so replaying one set would defeat the request;
 * - `/v1/responses` with `conversation`: its answer depends on server-side state that changes between calls.
 * A single sample at temperature > 0 is cached: the account opted in, and a repeated prompt gets the stored answer.
 * Embeddings are deterministic and always cacheable.
 */
export function uncacheableReason(endpoint: Endpoint, body: Record<string, unknown>): Uncacheable | undefined {
  if (endpoint === 'embeddings') return undefined;
  if (endpoint === 'responses' && body.conversation !== undefined && body.conversation !== null) return 'conversation_state';
  const samples = Math.max(count(body.n), endpoint === 'completions' ? count(body.best_of) : 1);
  const temperature = typeof body.temperature === 'number' ? body.temperature : 1;
  if (samples > 1 && temperature !== 0) return 'several_samples';
  return undefined;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 1;
}
