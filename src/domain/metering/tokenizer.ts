// Model name -> BPE encoding, and exact token counts of text with gpt-tokenizer.
// Encoders load lazily (each costs ~250 ms and tens of MB) and are cached per encoding.
import { createRequire } from 'node:module';
import type { EncodeOptions } from 'gpt-tokenizer/GptEncoding';

export type EncodingName = 'o200k_base' | 'cl100k_base';

interface Encoder {
  countTokens(text: string, options?: EncodeOptions): number;
}

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Encoder>();

/** Special-token text such as `<|endoftext|>` in user input is encoded as ordinary text, never rejected. */
const PLAIN_TEXT: EncodeOptions = { disallowedSpecial: new Set<string>() };

const CL100K_PREFIXES = ['gpt-3.5', 'gpt-35', 'text-embedding-3-', 'text-embedding-ada-002', 'davinci-002', 'babbage-002'];

/**
 * The encoding a model tokenizes with. `ft:` fine-tune names and an `openai/` prefix resolve to their base model.
 * gpt-4 and its dated/turbo/32k variants, gpt-3.5, the embedding models and davinci-002/babbage-002 use
 * cl100k_base; everything else (gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o-series, chatgpt-4o, codex, unknown
 * newer models) uses o200k_base.
 */
export function encodingForModel(model: string): EncodingName {
  const name = baseModelName(model);
  if (name === 'gpt-4' || name.startsWith('gpt-4-')) return 'cl100k_base';
  for (const prefix of CL100K_PREFIXES) {
    if (name.startsWith(prefix)) return 'cl100k_base';
  }
  return 'o200k_base';
}

/** Lower-cased model name without an `openai/` prefix or `ft:` fine-tune decoration. */
export function baseModelName(model: string): string {
  let name = model.trim().toLowerCase();
  if (name.startsWith('openai/')) name = name.slice('openai/'.length);
  if (name.startsWith('ft:')) {
    const end = name.indexOf(':', 3);
    name = end === -1 ? name.slice(3) : name.slice(3, end);
  }
  return name;
}

function encoder(encoding: EncodingName): Encoder {
  let loaded = encoders.get(encoding);
  if (loaded === undefined) {
    // The CommonJS build loads synchronously, so counting stays a plain function call.
    const module = require(`gpt-tokenizer/cjs/encoding/${encoding}`) as Partial<Encoder>;
    if (typeof module.countTokens !== 'function') throw new Error(`gpt-tokenizer has no countTokens for ${encoding}`);
    loaded = { countTokens: module.countTokens };
    encoders.set(encoding, loaded);
  }
  return loaded;
}

/** Exact number of tokens in `text` for `model`'s encoding. Never throws on user text (special tokens included). */
export function countTextTokens(model: string, text: string): number {
  if (text.length === 0) return 0;
  return encoder(encodingForModel(model)).countTokens(text, PLAIN_TEXT);
}

/** Loads the model's encoder now (e.g. at start-up) so the first request does not pay for it. */
export function preloadTokenizer(model: string): EncodingName {
  const encoding = encodingForModel(model);
  encoder(encoding);
  return encoding;
}
