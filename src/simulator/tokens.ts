// Token counting for the simulator: counts come from the gateway's own tokenizer (countTextTokens); encoding and
// decoding (to cap and chunk a reply) load the same gpt-tokenizer CommonJS build lazily, so both share one copy.
import { createRequire } from 'node:module';
import { countTextTokens } from '../domain/metering/tokenizer.js';
import type { EncodingName } from './models.js';

interface Encoding {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(tokens: Iterable<number>): string;
  decodeGenerator(tokens: Iterable<number>): Generator<string, void, void>;
}

const require = createRequire(import.meta.url);
const loaded = new Map<EncodingName, Encoding>();
// Text such as "<|endoftext|>" in a prompt is ordinary text to OpenAI, not a special token.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

function encoding(name: EncodingName): Encoding {
  let enc = loaded.get(name);
  if (enc === undefined) {
    const module = require(`gpt-tokenizer/cjs/encoding/${name}`) as Partial<Encoding>;
    if (typeof module.encode !== 'function' || typeof module.decode !== 'function' || typeof module.decodeGenerator !== 'function') {
      throw new Error(`gpt-tokenizer has no encode/decode for ${name}`);
    }
    enc = module as Encoding;
    loaded.set(name, enc);
  }
  return enc;
}

/** Tokens of `text` for the model, exactly as the gateway counts them. */
export function countText(modelId: string, text: string): number {
  return countTextTokens(modelId, text);
}

export function encodeText(name: EncodingName, text: string): number[] {
  return encoding(name).encode(text, AS_PLAIN_TEXT);
}

export function decodeTokens(name: EncodingName, tokens: readonly number[]): string {
  return encoding(name).decode(tokens);
}

/** The text of `tokens` as one string per token (a token that ends inside a character is joined to the next). */
export function tokenPieces(name: EncodingName, tokens: readonly number[]): string[] {
  return [...encoding(name).decodeGenerator(tokens)];
}

export interface PromptMessage {
  role: string;
  text: string;
  name?: string;
}

/**
 * Prompt tokens of a chat as OpenAI counts them: 3 per message, plus the role, the content
 * (and the name, plus 1), plus 3 that prime the reply.
 */
export function countChatPrompt(modelId: string, messages: readonly PromptMessage[]): number {
  let total = 3;
  for (const m of messages) {
    total += 3 + countText(modelId, m.role) + countText(modelId, m.text);
    if (m.name !== undefined) total += countText(modelId, m.name) + 1;
  }
  return total;
}
