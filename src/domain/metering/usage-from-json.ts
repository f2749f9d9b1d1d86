// Reported token usage from an upstream response body (or a stream's usage object), mapped to TokenUsage.
import type { TokenUsage } from '../pricing/cost.js';
import type { Endpoint } from './endpoint.js';
import { isRecord } from './json.js';

/**
 * The usage reported in a non-streamed response body, or undefined when it is missing or malformed.
 * Chat/completions: usage.prompt_tokens (+ prompt_tokens_details.cached_tokens), usage.completion_tokens
 * (+ completion_tokens_details.reasoning_tokens). Responses: usage.input_tokens, output_tokens and their
 * *_details. Embeddings: usage.prompt_tokens, no output.
 */
export function usageFromResponse(endpoint: Endpoint, json: unknown): TokenUsage | undefined {
  return isRecord(json) ? usageFromUsageObject(endpoint, json['usage']) : undefined;
}

/**
 * The same mapping applied to a `usage` object itself (a stream's usage chunk, response.completed's
 * response.usage). Totals must be non-negative integers; missing details count as 0, and cached / reasoning
 * counts are clamped into [0, input] / [0, output].
 */
export function usageFromUsageObject(endpoint: Endpoint, usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const responses = endpoint === 'responses';
  const input = count(usage[responses ? 'input_tokens' : 'prompt_tokens']);
  if (input === undefined) return undefined;
  if (endpoint === 'embeddings') {
    return { inputTokens: input, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  }
  const output = count(usage[responses ? 'output_tokens' : 'completion_tokens']);
  if (output === undefined) return undefined;
  const inputDetails = usage[responses ? 'input_tokens_details' : 'prompt_tokens_details'];
  const outputDetails = usage[responses ? 'output_tokens_details' : 'completion_tokens_details'];
  return {
    inputTokens: input,
    cachedInputTokens: Math.min(detail(inputDetails, 'cached_tokens'), input),
    outputTokens: output,
    reasoningTokens: Math.min(detail(outputDetails, 'reasoning_tokens'), output),
  };
}

function detail(details: unknown, key: string): number {
  return isRecord(details) ? count(details[key]) ?? 0 : 0;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
