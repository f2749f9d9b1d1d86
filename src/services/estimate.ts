// The cost estimate of a request body before anything is spent: the same plan (tokenizer, prices, policy) the
// request path holds for, plus the expected cost at a typical output length. Never holds, charges or records.
import type { Endpoint } from '../domain/metering/endpoint.js';
import { choiceCount } from '../domain/metering/output-cap.js';
import { costOf } from '../domain/pricing/cost.js';
import type { Pico } from '../domain/money/pico.js';
import { formatCredits } from '../domain/money/pico.js';
import type { EffectivePolicy } from '../domain/policies/policy.js';
import { InvalidRequestError } from '../http/errors.js';
import type { PolicyStore } from './policies/policy-store.js';
import type { Prices } from './prices.js';
import { planRequest, type RequestPlan } from './request-plan.js';

/** Output tokens per choice assumed when the account has no history for the model (never above the cap). */
export const DEFAULT_TYPICAL_OUTPUT_TOKENS = 256;
/** How many of the account's latest completed requests for the model the typical output length averages. */
export const HISTORY_REQUESTS = 100;

export interface Estimate {
  endpoint: Endpoint;
  model: string;
  substitutedFrom: string | null;
  promptTokens: number;
  maxOutputTokens: number;
  /** The hold the request would take: prompt × input price + maxOutputTokens × output price. */
  maxCost: Pico;
  expectedOutputTokens: number;
  expectedOutputBasis: 'history' | 'default';
  /** promptTokens × input price + expectedOutputTokens × output price (no cached-input discount assumed). */
  expectedCost: Pico;
}

export interface EstimateInput {
  body: Record<string, unknown>;
  prices: Prices;
  policy: EffectivePolicy;
  policies: PolicyStore;
  /** Whose history the typical output length comes from; undefined: the documented default. */
  accountId: string | undefined;
  defaultMaxOutput: number;
  now: number;
}

/** The endpoint a body is for: `endpoint` when given, else guessed from its fields (messages, input, prompt). */
export function endpointOf(body: Record<string, unknown>, given: string | undefined): Endpoint {
  const named: Record<string, Endpoint> = {
    'chat.completions': 'chat.completions', '/v1/chat/completions': 'chat.completions', chat: 'chat.completions',
    responses: 'responses', '/v1/responses': 'responses', completions: 'completions', '/v1/completions': 'completions',
    embeddings: 'embeddings', '/v1/embeddings': 'embeddings',
  };
  if (given !== undefined) {
    const e = named[given];
    if (!e) throw new InvalidRequestError(`Invalid 'endpoint': one of chat.completions, responses, completions, embeddings; got ${JSON.stringify(given)}.`, 'endpoint');
    return e;
  }
  if (body.messages !== undefined) return 'chat.completions';
  if (body.prompt !== undefined) return 'completions';
  if (body.input !== undefined) {
    return typeof body.model === 'string' && body.model.includes('embedding') ? 'embeddings' : 'responses';
  }
  throw new InvalidRequestError("Cannot tell the endpoint of this body: give 'messages', 'input' or 'prompt' (or 'endpoint').", 'endpoint');
}

export async function estimate(endpoint: Endpoint, input: EstimateInput): Promise<Estimate> {
  const raw = Buffer.from(JSON.stringify(input.body));
  const plan = planRequest(endpoint, input.body, raw, input.prices, input.now, input.defaultMaxOutput, input.policy);
  const typical = await typicalOutput(plan, input);
  return {
    endpoint, model: plan.model, substitutedFrom: plan.substitutedFrom, promptTokens: plan.promptTokens,
    maxOutputTokens: plan.maxOutputTokens, maxCost: plan.hold,
    expectedOutputTokens: typical.tokens, expectedOutputBasis: typical.basis,
    expectedCost: costOf({ inputTokens: plan.promptTokens, cachedInputTokens: 0, outputTokens: typical.tokens, reasoningTokens: 0 }, plan.price),
  };
}

async function typicalOutput(plan: RequestPlan, input: EstimateInput): Promise<{ tokens: number; basis: 'history' | 'default' }> {
  if (plan.maxOutputTokens === 0) return { tokens: 0, basis: 'default' };
  if (input.accountId !== undefined) {
    const recent = await input.policies.recentOutput(input.accountId, plan.model, plan.endpoint, HISTORY_REQUESTS);
    if (recent.requests > 0) {
      const average = Math.round(recent.outputTokens / recent.requests);
      return { tokens: Math.min(plan.maxOutputTokens, average), basis: 'history' };
    }
  }
  const choices = choiceCount(plan.endpoint, input.body);
  const perChoice = Math.min(plan.maxOutputTokens / choices, DEFAULT_TYPICAL_OUTPUT_TOKENS);
  return { tokens: Math.floor(perChoice) * choices, basis: 'default' };
}

/** The estimate on the wire (HTTP and `tollgate estimate --json`). */
export function estimateView(e: Estimate) {
  return {
    object: 'tollgate.estimate',
    endpoint: e.endpoint,
    model: e.model,
    requested_model: e.substitutedFrom ?? e.model,
    prompt_tokens: e.promptTokens,
    max_output_tokens: e.maxOutputTokens,
    max_cost: formatCredits(e.maxCost),
    expected_output_tokens: e.expectedOutputTokens,
    expected_output_basis: e.expectedOutputBasis,
    expected_cost: formatCredits(e.expectedCost),
  };
}

