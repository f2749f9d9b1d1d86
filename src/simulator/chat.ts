// POST /v1/chat/completions: a chat.completion object, or chat.completion.chunk frames when streamed.
import { DONE_FRAME, SYSTEM_FINGERPRINT, dataFrame, obfuscation, type Answer, type CallContext } from './answer.js';
import { unsupportedParameter } from './errors.js';
import type { SimulatedModel } from './models.js';
import { longReplyText, replyText, streamChunks } from './reply.js';
import {
  lastUserText, optionalInteger, readChatMessages, readModel, readStreamFlags, type Fields, type StreamFlags,
} from './request-fields.js';
import { countChatPrompt } from './tokens.js';
import { applyOverride, cachedTokensFor, chatUsageJson, produceOutput, type Usage } from './usage.js';

export function chatCompletion(f: Fields, ctx: CallContext): Answer {
  const model = readModel(f, 'chat');
  const messages = readChatMessages(f);
  const flags = readStreamFlags(f);
  const cap = readOutputCap(f, model);
  const n = optionalInteger(f, 'n', 1, 128) ?? 1;

  const promptTokens = countChatPrompt(model.id, messages);
  const seen = ctx.prompts.checkAndRemember(model.id, JSON.stringify(messages));
  const userText = lastUserText(messages);
  const text = ctx.text
    ?? (ctx.chunkCount === undefined ? replyText(model.encoding, userText) : longReplyText(model.encoding, userText, ctx.chunkCount));
  const out = produceOutput(model, text, cap);
  const usage = applyOverride({
    promptTokens,
    cachedTokens: seen ? cachedTokensFor(promptTokens) : 0,
    completionTokens: n * (out.tokens + out.reasoningTokens),
    reasoningTokens: n * out.reasoningTokens,
  }, ctx.usage);
  const finishReason = out.truncated ? 'length' : 'stop';
  const base = { id: ctx.ids.next('chatcmpl-'), created: ctx.now, model: model.id };

  if (!flags.stream) {
    return {
      kind: 'json',
      status: 200,
      body: {
        ...base,
        object: 'chat.completion',
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          message: { role: 'assistant', content: out.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        })),
        usage: chatUsageJson(usage),
        service_tier: 'default',
        system_fingerprint: SYSTEM_FINGERPRINT,
      },
    };
  }
  return chatStream(base, n, streamChunks(model.encoding, out.text, ctx.chunkCount), finishReason, usage, flags);
}

/** max_completion_tokens, or the older max_tokens, which reasoning models refuse. */
function readOutputCap(f: Fields, model: SimulatedModel): number | undefined {
  const maxCompletion = optionalInteger(f, 'max_completion_tokens', 1);
  const maxTokens = optionalInteger(f, 'max_tokens', 1);
  if (maxTokens !== undefined && model.reasoning) throw unsupportedParameter('max_tokens', 'max_completion_tokens');
  return maxCompletion ?? maxTokens;
}

function chatStream(
  base: { id: string; created: number; model: string },
  n: number,
  chunks: string[],
  finishReason: string,
  usage: Usage,
  flags: StreamFlags,
): Answer {
  let counter = 0;
  const frame = (choices: unknown[], delta: string): string => {
    const chunk: Record<string, unknown> = {
      ...base,
      object: 'chat.completion.chunk',
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    if (flags.includeUsage) chunk['usage'] = null;
    if (flags.includeObfuscation) chunk['obfuscation'] = obfuscation(counter, delta);
    counter += 1;
    return dataFrame(chunk);
  };
  const choice = (index: number, delta: Record<string, unknown>, finish: string | null): unknown =>
    ({ index, delta, logprobs: null, finish_reason: finish });

  const head: string[] = [];
  const content: string[] = [];
  const tail: string[] = [];
  for (let i = 0; i < n; i++) head.push(frame([choice(i, { role: 'assistant', content: '', refusal: null }, null)], ''));
  for (const piece of chunks) {
    for (let i = 0; i < n; i++) content.push(frame([choice(i, { content: piece }, null)], piece));
  }
  for (let i = 0; i < n; i++) tail.push(frame([choice(i, {}, finishReason)], ''));
  if (flags.includeUsage) {
    const last: Record<string, unknown> = {
      ...base,
      object: 'chat.completion.chunk',
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [],
      usage: chatUsageJson(usage),
    };
    if (flags.includeObfuscation) last['obfuscation'] = obfuscation(counter, '');
    tail.push(dataFrame(last));
  }
  tail.push(DONE_FRAME);
  return { kind: 'stream', head, content, tail };
}
