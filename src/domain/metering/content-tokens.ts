// Token counts of the building blocks shared by chat and responses prompts: content parts and JSON definitions.
// Every function accepts unvalidated input and counts what it can; none throws.
import { audioTokens, fileTokens, imageTokens } from './media-allowance.js';
import { countTextTokens } from './tokenizer.js';
import { isRecord } from './json.js';

/** OpenAI's chat format: 3 tokens wrap every message, 1 more when it has a name, 3 prime the reply. */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING_TOKENS = 3;

export function textTokens(model: string, value: unknown): number {
  return typeof value === 'string' ? countTextTokens(model, value) : 0;
}

/** Tokens of a value's compact JSON: an upper-ish estimate for tool and schema definitions. */
export function jsonTokens(model: string, value: unknown): number {
  if (value === undefined || value === null) return 0;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return 0;
  }
  return json === undefined ? 0 : countTextTokens(model, json);
}

/**
 * A message's content: a string, or an array of parts of either API — text / input_text / output_text /
 * refusal, image_url / input_image, input_audio, file / input_file.
 */
export function contentTokens(model: string, content: unknown): number {
  if (typeof content === 'string') return countTextTokens(model, content);
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content) total += partTokens(model, part);
  return total;
}

function partTokens(model: string, part: unknown): number {
  if (typeof part === 'string') return countTextTokens(model, part);
  if (!isRecord(part)) return 0;
  switch (part['type']) {
    case 'image_url': {
      const image = part['image_url'];
      return imageTokens(model, isRecord(image) ? image['detail'] : undefined);
    }
    case 'input_image':
      return imageTokens(model, part['detail']);
    case 'input_audio': {
      const audio = part['input_audio'];
      return audioTokens(isRecord(audio) ? audio['data'] : undefined);
    }
    case 'file': {
      const file = part['file'];
      return fileTokens(isRecord(file) ? file['file_data'] : undefined);
    }
    case 'input_file':
      return fileTokens(part['file_data']);
    case 'refusal':
      return textTokens(model, part['refusal']);
    default:
      return textTokens(model, part['text']);
  }
}
