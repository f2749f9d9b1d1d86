// What a call costs from its reported usage, and the most it can cost (the hold), in pico-credits.
import type { Pico } from '../money/pico.js';
import type { Price } from './price.js';

/** Token counts as OpenAI reports them: inputTokens includes cached ones, outputTokens includes reasoning ones. */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

function tokens(name: string, n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  return BigInt(n);
}

function assertNonNegativePrice(price: Price): void {
  if (price.inputPerToken < 0n || price.cachedInputPerToken < 0n || price.outputPerToken < 0n) {
    throw new RangeError(`price for ${price.model} has a negative component`);
  }
}

/**
 * (input − cached) × input price + cached × cached-input price + output × output price.
 * Cached tokens are clamped to [0, input]; reasoning tokens are already inside outputTokens and add nothing.
 * Throws RangeError for a negative or non-integer input or output count, or a non-integer cached count.
 * @example costOf({ inputTokens: 1000, cachedInputTokens: 200, outputTokens: 50, reasoningTokens: 0 }, gpt4o) // 2_750_000_000n
 */
export function costOf(usage: TokenUsage, price: Price): Pico {
  const input = tokens('inputTokens', usage.inputTokens);
  const output = tokens('outputTokens', usage.outputTokens);
  if (!Number.isSafeInteger(usage.cachedInputTokens)) {
    throw new RangeError(`cachedInputTokens must be an integer, got ${usage.cachedInputTokens}`);
  }
  const reportedCached = BigInt(usage.cachedInputTokens);
  const cached = reportedCached < 0n ? 0n : reportedCached > input ? input : reportedCached;
  assertNonNegativePrice(price);
  return (input - cached) * price.inputPerToken + cached * price.cachedInputPerToken + output * price.outputPerToken;
}

/** The most a call can cost: every prompt token at the uncached input price plus the whole output cap. */
export function holdAmount(promptTokens: number, maxOutputTokens: number, price: Price): Pico {
  assertNonNegativePrice(price);
  return tokens('promptTokens', promptTokens) * price.inputPerToken
    + tokens('maxOutputTokens', maxOutputTokens) * price.outputPerToken;
}
