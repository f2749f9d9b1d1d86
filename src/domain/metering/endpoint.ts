// The OpenAI endpoints Tollgate meters, named as they appear in usage records.

export type Endpoint = 'chat.completions' | 'responses' | 'completions' | 'embeddings';

/** The endpoints that can stream (embeddings never do). */
export type StreamingEndpoint = Exclude<Endpoint, 'embeddings'>;

export const ENDPOINTS: readonly Endpoint[] = ['chat.completions', 'responses', 'completions', 'embeddings'];

export function isEndpoint(value: unknown): value is Endpoint {
  return typeof value === 'string' && (ENDPOINTS as readonly string[]).includes(value);
}
