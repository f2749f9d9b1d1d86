// The number of prompt tokens a request will be billed for, counted from its body before it goes upstream.
import type { Endpoint } from './endpoint.js';
import { countChatPromptTokens } from './chat-prompt-tokens.js';
import { countResponsesPromptTokens } from './responses-prompt-tokens.js';
import { textTokens } from './content-tokens.js';

/**
 * Prompt tokens for `body` sent to `endpoint` with `model`'s tokenizer, including OpenAI's chat overhead.
 * Never throws: malformed parts are skipped (the HTTP layer validates bodies separately).
 * @example countPromptTokens('embeddings', 'text-embedding-3-small', { input: ['a', 'b'] }) // 2
 */
export function countPromptTokens(endpoint: Endpoint, model: string, body: Record<string, unknown>): number {
  switch (endpoint) {
    case 'chat.completions':
      return countChatPromptTokens(model, body);
    case 'responses':
      return countResponsesPromptTokens(model, body);
    case 'completions':
      return promptInputTokens(model, body['prompt']) + textTokens(model, body['suffix']);
    case 'embeddings':
      return promptInputTokens(model, body['input']);
    default:
      return 0;
  }
}

/** A string, an array of strings, a token array, or an array of token arrays (mixtures are summed). */
function promptInputTokens(model: string, input: unknown): number {
  if (typeof input === 'string') return textTokens(model, input);
  if (!Array.isArray(input)) return 0;
  let total = 0;
  for (const element of input) {
    if (typeof element === 'string') total += textTokens(model, element);
    else if (typeof element === 'number') total += 1;
    else if (Array.isArray(element)) total += element.length;
  }
  return total;
}
