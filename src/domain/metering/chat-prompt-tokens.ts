// Prompt tokens of a /v1/chat/completions request: messages with OpenAI's per-message overhead, tools, schemas.
import {
  REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME,
  contentTokens, jsonTokens, textTokens,
} from './content-tokens.js';
import { isRecord, type Json } from './json.js';

export function countChatPromptTokens(model: string, body: Json): number {
  let total = 0;
  const messages = body['messages'];
  if (Array.isArray(messages)) {
    for (const message of messages) total += messageTokens(model, message);
    total += REPLY_PRIMING_TOKENS;
  }
  total += jsonTokens(model, body['tools']) + jsonTokens(model, body['functions']);
  if (isRecord(body['tool_choice'])) total += jsonTokens(model, body['tool_choice']);
  if (isRecord(body['function_call'])) total += jsonTokens(model, body['function_call']);
  const format = body['response_format'];
  if (isRecord(format) && format['type'] === 'json_schema') total += jsonTokens(model, format['json_schema']);
  return total;
}

function messageTokens(model: string, message: unknown): number {
  if (!isRecord(message)) return 0;
  let total = TOKENS_PER_MESSAGE + textTokens(model, message['role']);
  if (typeof message['name'] === 'string') total += textTokens(model, message['name']) + TOKENS_PER_NAME;
  total += contentTokens(model, message['content']);
  total += textTokens(model, message['refusal']);
  const toolCalls = message['tool_calls'];
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls) total += toolCallTokens(model, call);
  }
  if (isRecord(message['function_call'])) total += TOKENS_PER_MESSAGE + functionTokens(model, message['function_call']);
  return total;
}

/** An assistant tool call replayed in the prompt: 3 + function name + arguments (or custom tool name + input). */
function toolCallTokens(model: string, call: unknown): number {
  if (!isRecord(call)) return 0;
  const custom = call['custom'];
  if (isRecord(custom)) return TOKENS_PER_MESSAGE + textTokens(model, custom['name']) + textTokens(model, custom['input']);
  return TOKENS_PER_MESSAGE + functionTokens(model, call['function']);
}

function functionTokens(model: string, fn: unknown): number {
  if (!isRecord(fn)) return 0;
  return textTokens(model, fn['name']) + textTokens(model, fn['arguments']);
}
