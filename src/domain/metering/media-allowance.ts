// Fixed, documented token allowances for prompt parts that cannot be tokenized as text: images, audio, files.
// They size holds (and cut-off-stream charges) conservatively; completed calls are billed from reported usage.
import { baseModelName } from './tokenizer.js';

interface ImageAllowance { readonly low: number; readonly high: number }

/**
 * gpt-4o-style tiling: low = base tokens, high = base + 4 tiles (a 1024×1024 image after OpenAI's resizing).
 * Patch-based mini/nano models: the 1536-patch cap × the model's multiplier, for either detail.
 * Checked in order: the first matching prefix wins.
 */
const IMAGE_ALLOWANCES: ReadonlyArray<readonly [prefix: string, allowance: ImageAllowance]> = [
  ['gpt-4o-mini', { low: 2833, high: 2833 + 4 * 5667 }],
  ['gpt-4.1-mini', { low: 2489, high: 2489 }],
  ['gpt-4.1-nano', { low: 3779, high: 3779 }],
  ['gpt-5-mini', { low: 2489, high: 2489 }],
  ['gpt-5-nano', { low: 3779, high: 3779 }],
  ['o4-mini', { low: 2642, high: 2642 }],
];
const DEFAULT_IMAGE: ImageAllowance = { low: 85, high: 85 + 4 * 170 };

/** Tokens charged for one image input; `detail` other than "low" (high, auto, original, absent) counts as high. */
export function imageTokens(model: string, detail: unknown): number {
  const name = baseModelName(model);
  let allowance = DEFAULT_IMAGE;
  for (const [prefix, candidate] of IMAGE_ALLOWANCES) {
    if (name.startsWith(prefix)) { allowance = candidate; break; }
  }
  return detail === 'low' ? allowance.low : allowance.high;
}

/** Audio: 10 tokens per second at an assumed 8 kB/s of encoded audio (64 kbit/s), at least 100 tokens. */
export const AUDIO_MIN_TOKENS = 100;
const AUDIO_BYTES_PER_TOKEN = 800;

/** Tokens allowed for one base64 audio input (`base64Data` may be missing when malformed). */
export function audioTokens(base64Data: unknown): number {
  const bytes = typeof base64Data === 'string' ? decodedLength(base64Data) : 0;
  return Math.max(AUDIO_MIN_TOKENS, Math.ceil(bytes / AUDIO_BYTES_PER_TOKEN));
}

/** Files (PDFs and the like): a fixed 1,000 tokens plus 1 per 100 bytes of inline data; a file_id/url alone is 1,000. */
export const FILE_BASE_TOKENS = 1000;
const FILE_BYTES_PER_TOKEN = 100;

export function fileTokens(base64Data: unknown): number {
  const bytes = typeof base64Data === 'string' ? decodedLength(base64Data) : 0;
  return FILE_BASE_TOKENS + Math.ceil(bytes / FILE_BYTES_PER_TOKEN);
}

/** Decoded size of base64 text, tolerating a `data:...;base64,` prefix; no decoding is done. */
function decodedLength(base64: string): number {
  const comma = base64.startsWith('data:') ? base64.indexOf(',') : -1;
  const payload = base64.length - (comma + 1);
  return Math.floor((payload * 3) / 4);
}
