// Reading fields of an OpenAI request body (unknown JSON) with OpenAI's own 400/404 errors for bad values.
import {
  SimulatedApiError, invalidJson, invalidType, invalidValue, missingParameter, modelNotFound, wrongEndpoint,
} from './errors.js';
import { findModel, type ModelFamily, type SimulatedModel } from './models.js';
import type { PromptMessage } from './tokens.js';

export type Fields = Record<string, unknown>;

export function asFields(body: unknown): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidJson();
  return body as Fields;
}

export type Endpoint = 'chat' | 'responses' | 'completions' | 'embeddings';

const ENDPOINT_PATH: Record<Endpoint, string> = {
  chat: 'v1/chat/completions', responses: 'v1/responses', completions: 'v1/completions', embeddings: 'v1/embeddings',
};
const FAMILY_FOR: Record<Endpoint, ModelFamily> = {
  chat: 'chat', responses: 'chat', completions: 'instruct', embeddings: 'embedding',
};

/** The request's model, which must exist and suit the endpoint. */
export function readModel(f: Fields, endpoint: Endpoint): SimulatedModel {
  const id = f['model'];
  if (id === undefined || id === null) throw new SimulatedApiError(400, 'you must provide a model parameter');
  if (typeof id !== 'string') throw invalidType('model', 'a string', id);
  const model = findModel(id);
  if (model === undefined) throw modelNotFound(id);
  if (model.family === FAMILY_FOR[endpoint]) return model;
  const path = ENDPOINT_PATH[endpoint];
  if (endpoint === 'completions' && model.family === 'chat') {
    throw wrongEndpoint(`This is a chat model and not supported in the ${path} endpoint. Did you mean to use v1/chat/completions?`);
  }
  if (endpoint === 'chat' && model.family === 'instruct') {
    throw wrongEndpoint(`This is not a chat model and thus not supported in the ${path} endpoint. Did you mean to use v1/completions?`);
  }
  throw wrongEndpoint(`This model is not supported in the ${path} endpoint.`);
}

export interface StreamFlags {
  stream: boolean;
  includeUsage: boolean;
  includeObfuscation: boolean;
}

export function readStreamFlags(f: Fields): StreamFlags {
  const stream = optionalBoolean(f, 'stream') ?? false;
  const options = f['stream_options'];
  if (options === undefined || options === null) return { stream, includeUsage: false, includeObfuscation: true };
  if (!stream) {
    throw new SimulatedApiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidType('stream_options', 'an object', options);
  const o = options as Fields;
  return {
    stream,
    includeUsage: optionalBoolean(o, 'include_usage', 'stream_options.include_usage') ?? false,
    includeObfuscation: optionalBoolean(o, 'include_obfuscation', 'stream_options.include_obfuscation') ?? true,
  };
}

export function optionalBoolean(f: Fields, key: string, param = key): boolean | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidType(param, 'a boolean', v);
  return v;
}

/** An optional integer parameter with a lower (and optional upper) bound. */
export function optionalInteger(f: Fields, key: string, min: number, max?: number): number | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidType(key, 'an integer', v);
  if (v < min) {
    throw invalidValue(key, `integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, 'integer_below_min_value');
  }
  if (max !== undefined && v > max) {
    throw invalidValue(key, `integer above maximum value. Expected a value <= ${max}, but got ${v} instead.`, 'integer_above_max_value');
  }
  return v;
}

/** The text of a message content: a string, or the `text` of its text parts (images and audio are not counted). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'object' && part !== null && typeof (part as Fields)['text'] === 'string') {
      text += (part as Fields)['text'] as string;
    }
  }
  return text;
}

/** Chat `messages`: required, a non-empty array of objects with a string `role`. */
export function readChatMessages(f: Fields): PromptMessage[] {
  const raw = f['messages'];
  if (raw === undefined || raw === null) throw missingParameter('messages');
  if (!Array.isArray(raw)) throw invalidType('messages', 'an array', raw);
  if (raw.length === 0) {
    throw invalidValue('messages', 'empty array. Expected an array with minimum length 1, but got an empty array instead.', 'empty_array');
  }
  return raw.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw invalidType(`messages[${i}]`, 'an object', m);
    const msg = m as Fields;
    const role = msg['role'];
    if (typeof role !== 'string') throw missingParameter(`messages[${i}].role`);
    const name = msg['name'];
    const out: PromptMessage = { role, text: contentText(msg['content']) + toolCallText(msg['tool_calls']) };
    if (typeof name === 'string') out.name = name;
    return out;
  });
}

function toolCallText(calls: unknown): string {
  if (!Array.isArray(calls)) return '';
  let text = '';
  for (const call of calls) {
    const fn = typeof call === 'object' && call !== null ? (call as Fields)['function'] : undefined;
    if (typeof fn === 'object' && fn !== null) {
      const { name, arguments: args } = fn as Fields;
      if (typeof name === 'string') text += name;
      if (typeof args === 'string') text += args;
    }
  }
  return text;
}

/** Text of the last message whose role is `user` ('' when there is none). */
export function lastUserText(messages: readonly PromptMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m !== undefined && m.role === 'user') return m.text;
  }
  return '';
}
