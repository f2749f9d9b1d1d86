// Bench mode: fixed answers with fixed usage, serialized once per (endpoint, model, stream shape) and then served
// from bytes, so the upstream costs the benchmark almost nothing. It reads only the fields that change the shape.
import { IdSource, type Answer } from './answer.js';
import type { Route } from './routes.js';
import { PromptCache } from './usage.js';

export const FAST_TEXT = '[simulated] Fast reply from the Tollgate simulator (bench mode), fixed text and usage.';
export const FAST_CHUNKS = 10;
export const FAST_USAGE = { promptTokens: 12, cachedTokens: 0, completionTokens: 20, reasoningTokens: 0 };

export type Precomputed =
  | { kind: 'json'; status: number; bytes: Buffer }
  | { kind: 'stream'; frames: Buffer[] };

export class FastAnswers {
  private readonly cache = new Map<string, Precomputed>();
  private readonly ids = new IdSource();
  private readonly prompts = new PromptCache(16);

  /** The precomputed answer for this request, or undefined when it needs the normal path (e.g. an unknown model). */
  lookup(path: string, route: Route, body: unknown): Precomputed | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const shape = shapeOf(path, body as Record<string, unknown>);
    if (shape === undefined) return undefined;
    const hit = this.cache.get(shape.key);
    if (hit !== undefined) return hit;
    let answer: Answer;
    try {
      answer = route.handle(shape.synthetic, {
        ids: this.ids, prompts: this.prompts, now: Math.floor(Date.now() / 1000),
        text: FAST_TEXT, usage: FAST_USAGE, chunkCount: FAST_CHUNKS,
      });
    } catch {
      return undefined;
    }
    const built: Precomputed = answer.kind === 'json'
      ? { kind: 'json', status: answer.status, bytes: Buffer.from(JSON.stringify(answer.body)) }
      : { kind: 'stream', frames: [...answer.head, ...answer.content, ...answer.tail].map((f) => Buffer.from(f)) };
    this.cache.set(shape.key, built);
    return built;
  }
}

interface Shape {
  key: string;
  synthetic: Record<string, unknown>;
}

function shapeOf(path: string, f: Record<string, unknown>): Shape | undefined {
  const model = f['model'];
  if (typeof model !== 'string') return undefined;
  const stream = f['stream'] === true;
  const options = f['stream_options'];
  const includeUsage = stream && typeof options === 'object' && options !== null
    && (options as Record<string, unknown>)['include_usage'] === true;
  const streamFields = stream ? { stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) } : {};
  const key = `${path}|${model}|${stream ? 's' : 'j'}|${includeUsage ? 'u' : ''}`;
  switch (path) {
    case '/v1/chat/completions':
      return { key, synthetic: { model, messages: [{ role: 'user', content: 'fast' }], ...streamFields } };
    case '/v1/completions':
      return { key, synthetic: { model, prompt: 'fast', max_tokens: 256, ...streamFields } };
    case '/v1/responses':
      return { key: `${path}|${model}|${stream ? 's' : 'j'}`, synthetic: { model, input: 'fast', ...(stream ? { stream: true } : {}) } };
    case '/v1/embeddings': {
      const input = f['input'];
      const count = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1;
      const format = f['encoding_format'] === 'base64' ? 'base64' : 'float';
      const dimensions = typeof f['dimensions'] === 'number' ? f['dimensions'] : undefined;
      return {
        key: `${path}|${model}|${count}|${format}|${dimensions ?? ''}`,
        synthetic: { model, input: Array.from({ length: count }, () => 'fast'), encoding_format: format, ...(dimensions === undefined ? {} : { dimensions }) },
      };
    }
    default:
      return undefined;
  }
}
