// The token usage a simulated call reports: visible output capped by the request, reasoning tokens for reasoning
// models, prompt-cache hits for repeated long prompts, and a scripted override over all of it.
import { createHash } from 'node:crypto';
import type { SimulatedModel } from './models.js';
import { capText, type CappedText } from './reply.js';
import type { UsageOverride } from './types.js';

/** Reasoning tokens a reasoning model reports per answer (never more than the output cap). */
export const REASONING_TOKENS = 64;
/** OpenAI caches prompts from 1024 tokens, in 128-token steps. */
export const CACHE_MIN_TOKENS = 1024;
export const CACHE_STEP_TOKENS = 128;

export interface Usage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

export interface Output extends CappedText {
  reasoningTokens: number;
}

/** What the model emits for `text` under `cap` (max_tokens and friends): reasoning first, then visible text. */
export function produceOutput(model: SimulatedModel, text: string, cap: number | undefined): Output {
  const reasoningTokens = model.reasoning ? Math.min(REASONING_TOKENS, cap ?? REASONING_TOKENS) : 0;
  const visible = capText(model.encoding, text, cap === undefined ? undefined : cap - reasoningTokens);
  return { ...visible, reasoningTokens };
}

/** Cached prompt tokens OpenAI would report for a prompt of `promptTokens` that it has seen before. */
export function cachedTokensFor(promptTokens: number): number {
  if (promptTokens < CACHE_MIN_TOKENS) return 0;
  return CACHE_MIN_TOKENS + Math.floor((promptTokens - CACHE_MIN_TOKENS) / CACHE_STEP_TOKENS) * CACHE_STEP_TOKENS;
}

/** Remembers which prompts were seen (bounded, oldest forgotten first), as OpenAI's prompt cache would. */
export class PromptCache {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  /** Records the prompt and returns whether the identical prompt for that model was seen before. */
  checkAndRemember(modelId: string, promptKey: string): boolean {
    const key = createHash('sha256').update(modelId).update('\0').update(promptKey).digest('base64');
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    if (this.seen.size > this.limit) {
      const oldest = this.seen.values().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    return false;
  }
}

/** Final usage: computed numbers, each replaced by the scripted override when one is given. */
export function applyOverride(computed: Usage, override: Partial<UsageOverride> | undefined): Usage {
  if (override === undefined) return computed;
  return {
    promptTokens: override.promptTokens ?? computed.promptTokens,
    cachedTokens: override.cachedTokens ?? computed.cachedTokens,
    completionTokens: override.completionTokens ?? computed.completionTokens,
    reasoningTokens: override.reasoningTokens ?? computed.reasoningTokens,
  };
}

/** `CompletionUsage` as chat completions report it. */
export function chatUsageJson(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0,
    },
  };
}

/** `CompletionUsage` as the legacy completions endpoint reports it (no details). */
export function legacyUsageJson(u: Usage): Record<string, unknown> {
  return { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens };
}

/** `ResponseUsage` as the Responses API reports it. */
export function responsesUsageJson(u: Usage): Record<string, unknown> {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens, cache_write_tokens: 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.promptTokens + u.completionTokens,
  };
}
