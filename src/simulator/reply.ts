// The simulated model's output: a deterministic reply derived from the last user message, capped to an output
// budget, and cut into stream chunks of a few tokens each.
import type { EncodingName } from './models.js';
import { decodeTokens, encodeText, tokenPieces } from './tokens.js';

/** Length of a normal reply, in tokens of the model's tokenizer. */
export const REPLY_TOKENS = 48;
/** Tokens per streamed content chunk. */
export const TOKENS_PER_CHUNK = 3;

const QUOTED_CHARS = 40;
const FILLER = ' This text comes from the Tollgate simulator, not from a real model; no OpenAI key was used.';

/** `[simulated] Simulated reply to: "<first 40 chars>".` padded with filler to `targetTokens` tokens. */
export function replyText(encoding: EncodingName, lastUserText: string, targetTokens = REPLY_TOKENS): string {
  const collapsed = lastUserText.replace(/\s+/g, ' ').trim();
  const chars = Array.from(collapsed);
  const quoted = chars.slice(0, QUOTED_CHARS).join('') + (chars.length > QUOTED_CHARS ? '…' : '');
  let text = `[simulated] Simulated reply to: "${quoted}".`;
  let tokens = encodeText(encoding, text);
  if (tokens.length < targetTokens) {
    const fillerTokens = encodeText(encoding, FILLER).length;
    text += FILLER.repeat(Math.ceil((targetTokens - tokens.length) / fillerTokens) + 1);
    tokens = encodeText(encoding, text);
  }
  return tokens.length === targetTokens ? text : decodeTokens(encoding, tokens.slice(0, targetTokens)).trimEnd();
}

export interface CappedText {
  text: string;
  tokens: number;
  /** True when the cap cut the text short (finish_reason "length", status "incomplete"). */
  truncated: boolean;
}

/** The text as the model would emit it under an output cap of `cap` tokens (no cap when undefined). */
export function capText(encoding: EncodingName, text: string, cap: number | undefined): CappedText {
  const tokens = encodeText(encoding, text);
  if (cap === undefined || tokens.length <= cap) return { text, tokens: tokens.length, truncated: false };
  const kept = tokens.slice(0, Math.max(0, cap));
  return { text: decodeTokens(encoding, kept), tokens: kept.length, truncated: true };
}

/**
 * Splits `text` into stream chunks on token boundaries: `TOKENS_PER_CHUNK` tokens each, or exactly `chunkCount`
 * chunks when given (fewer only if the text has fewer tokens). Joined, the chunks are `text` again.
 */
export function streamChunks(encoding: EncodingName, text: string, chunkCount?: number): string[] {
  const pieces = tokenPieces(encoding, encodeText(encoding, text));
  const groups = chunkCount === undefined
    ? Math.ceil(pieces.length / TOKENS_PER_CHUNK)
    : Math.min(chunkCount, pieces.length);
  const chunks: string[] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * pieces.length) / groups);
    const to = Math.floor(((g + 1) * pieces.length) / groups);
    chunks.push(pieces.slice(from, to).join(''));
  }
  return chunks;
}

/** A reply long enough to stream as `chunkCount` chunks (for the slow-stream behaviour). */
export function longReplyText(encoding: EncodingName, lastUserText: string, chunkCount: number): string {
  return replyText(encoding, lastUserText, Math.max(REPLY_TOKENS, chunkCount * TOKENS_PER_CHUNK));
}
