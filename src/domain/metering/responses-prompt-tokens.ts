// Prompt tokens of a /v1/responses request: instructions, input items, tools and text format.
// Context referenced by previous_response_id, conversation or item_reference cannot be seen and is not counted.
import { imageTokens } from './media-allowance.js';
import {
  REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE,
  contentTokens, jsonTokens, textTokens,
} from './content-tokens.js';
import { isRecord, type Json } from './json.js';

export function countResponsesPromptTokens(model: string, body: Json): number {
  let total = 0;
  const instructions = body['instructions'];
  if (typeof instructions === 'string') {
    total += TOKENS_PER_MESSAGE + textTokens(model, 'developer') + textTokens(model, instructions);
  }
  const input = body['input'];
  if (typeof input === 'string') {
    total += TOKENS_PER_MESSAGE + textTokens(model, 'user') + textTokens(model, input);
  } else if (Array.isArray(input)) {
    for (const item of input) total += itemTokens(model, item);
  }
  if (total > 0) total += REPLY_PRIMING_TOKENS;
  total += jsonTokens(model, body['tools']);
  if (isRecord(body['tool_choice'])) total += jsonTokens(model, body['tool_choice']);
  const text = body['text'];
  if (isRecord(text) && isRecord(text['format']) && text['format']['type'] === 'json_schema') {
    total += jsonTokens(model, text['format']);
  }
  return total;
}

function itemTokens(model: string, item: unknown): number {
  if (typeof item === 'string') return TOKENS_PER_MESSAGE + textTokens(model, item);
  if (!isRecord(item)) return 0;
  const type = item['type'];
  switch (type) {
    case undefined:
    case 'message':
      return TOKENS_PER_MESSAGE + textTokens(model, item['role']) + contentTokens(model, item['content']);
    case 'function_call':
      return TOKENS_PER_MESSAGE + textTokens(model, item['name']) + textTokens(model, item['arguments']);
    case 'function_call_output':
    case 'custom_tool_call_output':
      return TOKENS_PER_MESSAGE + contentTokens(model, item['output']);
    case 'custom_tool_call':
      return TOKENS_PER_MESSAGE + textTokens(model, item['name']) + textTokens(model, item['input']);
    case 'reasoning':
      return summaryTokens(model, item['summary']) + summaryTokens(model, item['content']);
    case 'item_reference':
      return 0;
    default:
      return TOKENS_PER_MESSAGE + leafTokens(model, item, 0);
  }
}

function summaryTokens(model: string, parts: unknown): number {
  if (!Array.isArray(parts)) return 0;
  let total = 0;
  for (const part of parts) if (isRecord(part)) total += textTokens(model, part['text']);
  return total;
}

/** Keys whose values are identifiers or opaque blobs, not text the model reads. */
const OPAQUE_KEYS = new Set(['id', 'call_id', 'type', 'status', 'encrypted_content', 'file_id']);
const MAX_DEPTH = 8;

/** Any other item (web search, computer, shell, MCP calls...): its string leaves; data URLs as a high-detail image. */
function leafTokens(model: string, value: unknown, depth: number): number {
  if (typeof value === 'string') {
    return value.startsWith('data:') ? imageTokens(model, 'high') : textTokens(model, value);
  }
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const element of value) total += leafTokens(model, element, depth + 1);
    return total;
  }
  for (const [key, child] of Object.entries(value)) {
    if (!OPAQUE_KEYS.has(key)) total += leafTokens(model, child, depth + 1);
  }
  return total;
}
