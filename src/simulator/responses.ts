// POST /v1/responses: a Response object, or its semantic events (response.created … response.completed) when streamed.
import { eventFrame, obfuscation, type Answer, type CallContext } from './answer.js';
import { invalidType, missingParameter } from './errors.js';
import { longReplyText, replyText, streamChunks } from './reply.js';
import {
  contentText, lastUserText, optionalInteger, readModel, readStreamFlags, type Fields,
} from './request-fields.js';
import { countChatPrompt, type PromptMessage } from './tokens.js';
import { applyOverride, cachedTokensFor, produceOutput, responsesUsageJson, type Usage } from './usage.js';

export function createResponse(f: Fields, ctx: CallContext): Answer {
  const model = readModel(f, 'responses');
  const messages = readInput(f);
  const flags = readStreamFlags(f);
  const cap = optionalInteger(f, 'max_output_tokens', 16);

  const promptTokens = countChatPrompt(model.id, messages);
  const seen = ctx.prompts.checkAndRemember(model.id, JSON.stringify(messages));
  const userText = lastUserText(messages);
  const text = ctx.text
    ?? (ctx.chunkCount === undefined ? replyText(model.encoding, userText) : longReplyText(model.encoding, userText, ctx.chunkCount));
  const out = produceOutput(model, text, cap);
  const usage = applyOverride({
    promptTokens,
    cachedTokens: seen ? cachedTokensFor(promptTokens) : 0,
    completionTokens: out.tokens + out.reasoningTokens,
    reasoningTokens: out.reasoningTokens,
  }, ctx.usage);

  const ids = { response: ctx.ids.next('resp_'), message: ctx.ids.next('msg_'), reasoning: ctx.ids.next('rs_') };
  const status = out.truncated ? 'incomplete' : 'completed';
  const reasoningItem = model.reasoning ? { id: ids.reasoning, type: 'reasoning', summary: [] } : undefined;
  const outputText = { type: 'output_text', annotations: [], logprobs: [], text: out.text };
  const message = (itemStatus: string, parts: unknown[]) =>
    ({ id: ids.message, type: 'message', status: itemStatus, content: parts, role: 'assistant' });
  const finalOutput = [...(reasoningItem ? [reasoningItem] : []), message(status, [outputText])];
  const shell = (s: string, output: unknown[], u: Usage | null): Record<string, unknown> =>
    responseObject(f, { id: ids.response, createdAt: ctx.now, status: s, model: model.id, output, usage: u, reasoning: model.reasoning });

  if (!flags.stream) return { kind: 'json', status: 200, body: shell(status, finalOutput, usage) };

  let sequence = 0;
  const ev = (type: string, fields: Record<string, unknown>): string => eventFrame(type, { type, sequence_number: sequence++, ...fields });
  const messageIndex = reasoningItem ? 1 : 0;
  const at = { item_id: ids.message, output_index: messageIndex, content_index: 0 };

  const head = [
    ev('response.created', { response: shell('in_progress', [], null) }),
    ev('response.in_progress', { response: shell('in_progress', [], null) }),
  ];
  if (reasoningItem) {
    head.push(ev('response.output_item.added', { output_index: 0, item: reasoningItem }));
    head.push(ev('response.output_item.done', { output_index: 0, item: reasoningItem }));
  }
  head.push(ev('response.output_item.added', { output_index: messageIndex, item: message('in_progress', []) }));
  head.push(ev('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } }));

  const content = streamChunks(model.encoding, out.text, ctx.chunkCount).map((delta, i) => ev('response.output_text.delta', {
    ...at, delta, logprobs: [], ...(flags.includeObfuscation ? { obfuscation: obfuscation(i, delta) } : {}),
  }));

  const tail = [
    ev('response.output_text.done', { ...at, text: out.text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part: outputText }),
    ev('response.output_item.done', { output_index: messageIndex, item: message(status, [outputText]) }),
    ev(out.truncated ? 'response.incomplete' : 'response.completed', { response: shell(status, finalOutput, usage) }),
  ];
  return { kind: 'stream', head, content, tail };
}

interface ResponseParts {
  id: string;
  createdAt: number;
  status: string;
  model: string;
  output: unknown[];
  usage: Usage | null;
  reasoning: boolean;
}

function responseObject(f: Fields, p: ResponseParts): Record<string, unknown> {
  const finished = p.status === 'completed' || p.status === 'incomplete';
  return {
    id: p.id,
    object: 'response',
    created_at: p.createdAt,
    status: p.status,
    background: false,
    completed_at: p.status === 'completed' ? p.createdAt : null,
    error: null,
    incomplete_details: p.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: typeof f['instructions'] === 'string' ? f['instructions'] : null,
    max_output_tokens: typeof f['max_output_tokens'] === 'number' ? f['max_output_tokens'] : null,
    max_tool_calls: null,
    model: p.model,
    output: p.output,
    parallel_tool_calls: true,
    previous_response_id: typeof f['previous_response_id'] === 'string' ? f['previous_response_id'] : null,
    prompt_cache_key: null,
    reasoning: { effort: p.reasoning ? 'medium' : null, summary: null },
    safety_identifier: null,
    service_tier: finished ? 'default' : 'auto',
    store: typeof f['store'] === 'boolean' ? f['store'] : true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: p.usage === null ? null : responsesUsageJson(p.usage),
    user: null,
    metadata: typeof f['metadata'] === 'object' && f['metadata'] !== null ? f['metadata'] : {},
  };
}

/** `instructions` plus `input` (a string, or a list of message items) as prompt messages. */
function readInput(f: Fields): PromptMessage[] {
  const messages: PromptMessage[] = [];
  const instructions = f['instructions'];
  if (typeof instructions === 'string') messages.push({ role: 'developer', text: instructions });
  const input = f['input'];
  if (input === undefined || input === null) {
    if (typeof f['previous_response_id'] === 'string') return messages;
    throw missingParameter('input');
  }
  if (typeof input === 'string') {
    messages.push({ role: 'user', text: input });
    return messages;
  }
  if (!Array.isArray(input)) throw invalidType('input', 'a string or an array', input);
  for (const item of input) {
    if (typeof item !== 'object' || item === null) throw invalidType('input[]', 'an object', item);
    const it = item as Fields;
    if (typeof it['role'] === 'string') messages.push({ role: it['role'], text: contentText(it['content']) });
    else if (typeof it['output'] === 'string') messages.push({ role: 'tool', text: it['output'] });
  }
  return messages;
}
