// What an endpoint handler produces (a JSON body, or an SSE stream in three parts), what it is given to work with,
// and the SSE framing OpenAI uses.
import { randomBytes } from 'node:crypto';
import type { PromptCache } from './usage.js';
import type { UsageOverride } from './types.js';

export type Answer =
  | { kind: 'json'; status: number; body: unknown }
  /**
   * A stream as complete SSE frames. `content` holds the frames that carry output text, so a fault can cut the
   * stream after N of them; `head` comes before them and `tail` (finish, usage, `[DONE]`) after.
   */
  | { kind: 'stream'; head: string[]; content: string[]; tail: string[] };

export interface CallContext {
  ids: IdSource;
  prompts: PromptCache;
  /** Unix seconds for `created` fields. */
  now: number;
  /** Scripted reply text (an `ok` behaviour's `text`). */
  text?: string;
  /** Scripted usage numbers (an `ok` behaviour's `usage`). */
  usage?: Partial<UsageOverride>;
  /** Stream exactly this many content chunks (the slow-stream behaviour). */
  chunkCount?: number;
}

/** Unique ids shaped like OpenAI's (`chatcmpl-…`, `resp_…`, `req_…`): a random tag per simulator and a counter. */
export class IdSource {
  private readonly tag = randomBytes(8).toString('hex');
  private counter = 0;

  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.tag}${this.counter.toString(16).padStart(16, '0')}`;
  }
}

export const SYSTEM_FINGERPRINT = 'fp_51m0la7ed0';
export const DONE_FRAME = 'data: [DONE]\n\n';

export function dataFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export function eventFrame(type: string, payload: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

const OBFUSCATION_ALPHABET = 'Tq7wZx2LmR9sKp4VbN8cJd3HfG6yXe5A';

/** A padding string like OpenAI's `obfuscation` field, deterministic per chunk. */
export function obfuscation(index: number, content: string): string {
  const length = 2 + ((index * 7 + content.length) % 14);
  let out = '';
  for (let i = 0; i < length; i++) out += OBFUSCATION_ALPHABET[(index * 5 + i * 3) % OBFUSCATION_ALPHABET.length];
  return out;
}
