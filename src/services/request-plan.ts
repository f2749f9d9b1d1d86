// Validates a metered request body and works out what to hold for it: prompt tokens counted with the model's
// tokenizer plus the output cap, priced. Bad input becomes a clear 400 before any credit moves.
// Two steps, so a cache hit can be answered before the prompt is tokenized: `shapeRequest` (validation, the model
// that serves it, its price, the output cap: everything the cache key needs) and `completePlan` (prompt tokens, the
// context and prompt-cap checks, the hold, the body sent upstream). `planRequest` is both.
import type { Endpoint } from '../domain/metering/endpoint.js';
import { countPromptTokens } from '../domain/metering/prompt-tokens.js';
import { choiceCount, requestedOutputCap } from '../domain/metering/output-cap.js';
import { holdAmount } from '../domain/pricing/cost.js';
import type { Price } from '../domain/pricing/price.js';
import type { Pico } from '../domain/money/pico.js';
import { InvalidRequestError, ModelNotFoundError } from '../http/errors.js';
import type { Prices } from './prices.js';
import { NO_POLICY, type EffectivePolicy } from '../domain/policies/policy.js';
import { checkPromptCap, policyOutputCap, resolveModel } from './policies/apply-policy.js';
import { MAX_TOKENS_PER_REQUEST } from './rate-limit/rate-limiter.js';

/** What is known of a request before its prompt is counted. */
export interface RequestShape {
  endpoint: Endpoint;
  /** The model that serves the request (and is priced and recorded): the client's, unless a policy substituted it. */
  model: string;
  /** The model the client requested for when a policy substituted another one; null otherwise. */
  substitutedFrom: string | null;
  price: Price;
  stream: boolean;
  /** The client requested for the usage chunk itself (chat/completions streams). */
  clientWantsUsage: boolean;
  /** The most the request may generate, over all its choices. */
  maxOutputTokens: number;
  /** The output cap a policy writes into the upstream body (the client set none), if any. */
  policyOutputCap: { field: string; value: number } | undefined;
}

export interface RequestPlan extends RequestShape {
  promptTokens: number;
  hold: Pico;
  /**
   * The body to send upstream: the client's bytes unchanged unless usage reporting had to be switched on, or a policy
   * substituted the model or supplied the output cap.
   */
  upstreamBody: Buffer;
}

const REQUIRED_INPUT: Record<Endpoint, { field: string; kind: 'array' | 'present' }> = {
  'chat.completions': { field: 'messages', kind: 'array' },
  responses: { field: 'input', kind: 'present' },
  completions: { field: 'prompt', kind: 'present' },
  embeddings: { field: 'input', kind: 'present' },
};

export function planRequest(
  endpoint: Endpoint, body: Record<string, unknown>, raw: Buffer, prices: Prices, now: number, defaultMaxOutput: number,
  policy: EffectivePolicy = NO_POLICY,
): RequestPlan {
  return completePlan(shapeRequest(endpoint, body, prices, now, defaultMaxOutput, policy), body, raw, policy);
}

/** Validation, model (after the policy), price and output cap; no tokenizing. Throws the request's 4xx. */
export function shapeRequest(
  endpoint: Endpoint, body: Record<string, unknown>, prices: Prices, now: number, defaultMaxOutput: number,
  policy: EffectivePolicy = NO_POLICY,
): RequestShape {
  const requested = body.model;
  if (requested === undefined || requested === null || requested === '') {
    throw new InvalidRequestError('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  if (typeof requested !== 'string') throw invalidType('model', 'a string', requested);
  validateShape(endpoint, body);

  const model = resolveModel(policy, requested);
  const price = prices.lookup(model, now);
  if (!price) throw new ModelNotFoundError(model, 'is not available on this gateway (no price is set for it)');

  const fromPolicy = policyOutputCap(policy, endpoint, body, price.maxOutputTokens);
  const cap = fromPolicy?.value ?? requestedOutputCap(endpoint, body) ?? price.maxOutputTokens ?? defaultMaxOutput;
  const options = body.stream_options;
  return {
    endpoint, model, substitutedFrom: model === requested ? null : requested, price, stream: body.stream === true,
    clientWantsUsage: isRecord(options) && options.include_usage === true,
    maxOutputTokens: cap * choiceCount(endpoint, body),
    policyOutputCap: fromPolicy,
  };
}

/** Counts the prompt, refuses one over the model's context or the policy's prompt cap, and works out the hold. */
export function completePlan(shape: RequestShape, body: Record<string, unknown>, raw: Buffer, policy: EffectivePolicy = NO_POLICY): RequestPlan {
  const { endpoint, model, price, stream, clientWantsUsage } = shape;
  const promptTokens = countPromptTokens(endpoint, model, body);
  checkPromptLength(shape, policy, promptTokens);

  const options = body.stream_options;
  const patch: Record<string, unknown> = {};
  if (shape.substitutedFrom !== null) patch.model = model;
  if (shape.policyOutputCap) patch[shape.policyOutputCap.field] = shape.policyOutputCap.value;
  if (stream && !clientWantsUsage && (endpoint === 'chat.completions' || endpoint === 'completions')) {
    patch.stream_options = isRecord(options) ? { ...options, include_usage: true } : { include_usage: true };
  }
  const upstreamBody = Object.keys(patch).length === 0 ? raw : Buffer.from(JSON.stringify({ ...body, ...patch }));
  return { ...shape, promptTokens, hold: holdAmount(promptTokens, shape.maxOutputTokens, price), upstreamBody };
}

/** 400 context_length_exceeded when `promptTokens` is over the model's context or the policy's prompt cap. */
export function checkPromptLength(shape: RequestShape, policy: EffectivePolicy, promptTokens: number): void {
  const field = REQUIRED_INPUT[shape.endpoint].field;
  const limit = shape.price.maxInputTokens;
  if (limit !== null && promptTokens > limit) {
    throw new InvalidRequestError(
      `This model's maximum context length is ${limit} tokens. However, your request resulted in ${promptTokens} tokens. Please reduce the length of the input.`,
      field, 'context_length_exceeded',
    );
  }
  checkPromptCap(policy, promptTokens, field);
}

/** Whether `promptTokens` fits the model's context and the policy's prompt cap: the same rule as checkPromptLength. */
export function promptLengthAllowed(shape: RequestShape, policy: EffectivePolicy, promptTokens: number): boolean {
  try {
    checkPromptLength(shape, policy, promptTokens);
    return true;
  } catch (err) {
    if (err instanceof InvalidRequestError) return false;
    throw err;
  }
}

/** The tokens a request counts against TPM before it runs, as OpenAI counts them: the prompt plus the most it may generate. */
export function estimatedTokens(plan: RequestPlan): number {
  return Math.min(plan.promptTokens + plan.maxOutputTokens, MAX_TOKENS_PER_REQUEST);
}

function validateShape(endpoint: Endpoint, body: Record<string, unknown>): void {
  const required = REQUIRED_INPUT[endpoint];
  const value = body[required.field];
  if (value === undefined || value === null) {
    throw new InvalidRequestError(`Missing required parameter: '${required.field}'.`, required.field, 'missing_required_parameter');
  }
  if (required.kind === 'array' && !Array.isArray(value)) throw invalidType(required.field, 'an array', value);
  if (endpoint === 'chat.completions' && Array.isArray(value)) {
    if (value.length === 0) {
      throw new InvalidRequestError("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
    }
    value.forEach((m, i) => {
      if (!isRecord(m)) throw invalidType(`messages[${i}]`, 'an object', m);
    });
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidType('stream', 'a boolean', body.stream);
  }
  if (endpoint === 'embeddings' && body.stream === true) {
    throw new InvalidRequestError('Embeddings cannot be streamed.', 'stream');
  }
  for (const field of ['max_tokens', 'max_completion_tokens', 'max_output_tokens', 'n', 'best_of']) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    const min = 1;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidType(field, 'an integer', v);
    if (v < min) {
      throw new InvalidRequestError(`Invalid '${field}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, field, 'integer_below_min_value');
    }
  }
  const tier = body.service_tier;
  if (tier !== undefined && tier !== null && tier !== 'auto' && tier !== 'default') {
    // Priority and flex tiers are priced differently upstream; only the standard tier is metered here.
    throw new InvalidRequestError(`Invalid 'service_tier': this gateway serves only the default tier, got ${JSON.stringify(tier)}.`, 'service_tier');
  }
  if (body.stream_options !== undefined && body.stream_options !== null && !isRecord(body.stream_options)) {
    throw invalidType('stream_options', 'an object', body.stream_options);
  }
}

function invalidType(param: string, expected: string, got: unknown): InvalidRequestError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : `a ${typeof got}`;
  return new InvalidRequestError(`Invalid type for '${param}': expected ${expected}, but got ${kind} instead.`, param, 'invalid_type');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
