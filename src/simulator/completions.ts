// POST /v1/completions (legacy): a text_completion object, streamed as text_completion frames of the same shape.
import { DONE_FRAME, SYSTEM_FINGERPRINT, dataFrame, type Answer, type CallContext } from './answer.js';
import { invalidType, invalidValue } from './errors.js';
import { longReplyText, replyText, streamChunks } from './reply.js';
import { optionalInteger, readModel, readStreamFlags, type Fields } from './request-fields.js';
import { countText, decodeTokens } from './tokens.js';
import { applyOverride, cachedTokensFor, legacyUsageJson, produceOutput } from './usage.js';
import type { SimulatedModel } from './models.js';

/** The legacy endpoint's default output cap when the request names no max_tokens. */
export const LEGACY_DEFAULT_MAX_TOKENS = 16;

export function textCompletion(f: Fields, ctx: CallContext): Answer {
  const model = readModel(f, 'completions');
  const prompts = readPrompts(f, model);
  const flags = readStreamFlags(f);
  const cap = optionalInteger(f, 'max_tokens', 0) ?? LEGACY_DEFAULT_MAX_TOKENS;
  const n = optionalInteger(f, 'n', 1, 128) ?? 1;

  const promptTokens = prompts.reduce((sum, p) => sum + p.tokens, 0);
  const seen = ctx.prompts.checkAndRemember(model.id, JSON.stringify(prompts.map((p) => p.text)));
  const outputs = prompts.map((p) => {
    const text = ctx.text
      ?? (ctx.chunkCount === undefined ? replyText(model.encoding, p.text) : longReplyText(model.encoding, p.text, ctx.chunkCount));
    return produceOutput(model, text, cap);
  });
  const choiceCount = prompts.length * n;
  const outputFor = (choice: number) => outputs[Math.floor(choice / n)] ?? outputs[0]!;
  const usage = applyOverride({
    promptTokens,
    cachedTokens: seen ? cachedTokensFor(promptTokens) : 0,
    completionTokens: outputs.reduce((sum, o) => sum + o.tokens, 0) * n,
    reasoningTokens: 0,
  }, ctx.usage);
  const base = { id: ctx.ids.next('cmpl-'), object: 'text_completion', created: ctx.now, model: model.id };
  const finish = (choice: number) => (outputFor(choice).truncated ? 'length' : 'stop');

  if (!flags.stream) {
    return {
      kind: 'json',
      status: 200,
      body: {
        ...base,
        choices: Array.from({ length: choiceCount }, (_, index) => ({
          text: outputFor(index).text, index, logprobs: null, finish_reason: finish(index),
        })),
        usage: legacyUsageJson(usage),
        system_fingerprint: SYSTEM_FINGERPRINT,
      },
    };
  }

  const frame = (choices: unknown[]): string => dataFrame({
    ...base, choices, system_fingerprint: SYSTEM_FINGERPRINT, ...(flags.includeUsage ? { usage: null } : {}),
  });
  const content: string[] = [];
  const chunksPer = outputs.map((o) => streamChunks(model.encoding, o.text, ctx.chunkCount));
  const longest = Math.max(0, ...chunksPer.map((c) => c.length));
  for (let k = 0; k < longest; k++) {
    for (let index = 0; index < choiceCount; index++) {
      const piece = chunksPer[Math.floor(index / n)]?.[k];
      if (piece !== undefined) content.push(frame([{ text: piece, index, logprobs: null, finish_reason: null }]));
    }
  }
  const tail = Array.from({ length: choiceCount }, (_, index) =>
    frame([{ text: '', index, logprobs: null, finish_reason: finish(index) }]));
  if (flags.includeUsage) {
    tail.push(dataFrame({ ...base, choices: [], system_fingerprint: SYSTEM_FINGERPRINT, usage: legacyUsageJson(usage) }));
  }
  tail.push(DONE_FRAME);
  return { kind: 'stream', head: [], content, tail };
}

interface Prompt {
  text: string;
  tokens: number;
}

/** `prompt`: a string, strings, a token array or token arrays; absent means OpenAI's default "<|endoftext|>". */
function readPrompts(f: Fields, model: SimulatedModel): Prompt[] {
  const raw = f['prompt'] ?? '<|endoftext|>';
  const one = (p: unknown): Prompt => {
    if (typeof p === 'string') return { text: p, tokens: p === '<|endoftext|>' ? 1 : countText(model.id, p) };
    if (Array.isArray(p) && p.every((t) => Number.isInteger(t))) return { text: tokensAsText(model, p as number[]), tokens: p.length };
    throw invalidType('prompt', 'a string or an array', p);
  };
  if (typeof raw === 'string') return [one(raw)];
  if (Array.isArray(raw) && raw.length > 0 && raw.every((t) => typeof t === 'number')) return [one(raw)];
  if (Array.isArray(raw) && raw.length > 0) return raw.map(one);
  throw invalidType('prompt', 'a string or an array', raw);
}

function tokensAsText(model: SimulatedModel, tokens: number[]): string {
  try {
    return decodeTokens(model.encoding, tokens);
  } catch {
    throw invalidValue('prompt', 'contains token ids outside the vocabulary.');
  }
}
