// A model's per-token price row in pico-credits, versioned by effectiveFrom, and the USD-per-1M conversions.
import { decimalToScaledBigint, scaledBigintToDecimal } from '../money/decimal.js';
import type { Pico } from '../money/pico.js';

export type PriceMode = 'chat' | 'completion' | 'embedding' | 'responses' | 'other';

export const PRICE_MODES: readonly PriceMode[] = ['chat', 'completion', 'embedding', 'responses', 'other'];

/** The model id of the operator's default price, used for models without a price of their own. */
export const DEFAULT_PRICE_MODEL = '*';

/** All prices are per token, in pico-credits. */
export interface Price {
  /** Exact model id, or "*" for the operator's default price. */
  model: string;
  /** Epoch ms; the newest row with effectiveFrom <= t applies at time t. */
  effectiveFrom: number;
  inputPerToken: Pico;
  /** Equals inputPerToken when the model has no cached price. */
  cachedInputPerToken: Pico;
  /** Reasoning tokens are billed as output; embeddings have 0. */
  outputPerToken: Pico;
  /** The model's output limit, used for the hold when a request sets no cap. */
  maxOutputTokens: number | null;
  maxInputTokens: number | null;
  mode: PriceMode;
}

/**
 * 1 USD per 1M tokens = 10^12 pico / 10^6 tokens = 10^6 pico per token, so a USD-per-1M price is exact in
 * pico-credits per token iff it has at most 6 decimals.
 */
const USD_PER_MILLION_SCALE = 6;

/** Thrown when a price is malformed, negative, or not exact in pico-credits per token. */
export class PriceFormatError extends Error {
  override readonly name = 'PriceFormatError';
}

/**
 * Converts a USD-per-1M-tokens decimal string to pico-credits per token, exactly.
 * @example usdPerMillionToPicoPerToken('2.50') // 2_500_000n
 */
export function usdPerMillionToPicoPerToken(usdPerMillion: string): Pico {
  if (typeof usdPerMillion !== 'string' || !/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(usdPerMillion)) {
    throw new PriceFormatError(
      `invalid price ${JSON.stringify(String(usdPerMillion).slice(0, 40))}: expected USD per 1M tokens as a non-negative decimal like "2.5"`,
    );
  }
  try {
    return decimalToScaledBigint(usdPerMillion, USD_PER_MILLION_SCALE);
  } catch {
    throw new PriceFormatError(`price ${usdPerMillion} USD per 1M tokens is finer than 1e-12 credit per token`);
  }
}

/** Inverse of usdPerMillionToPicoPerToken: 2_500_000n -> "2.5". */
export function picoPerTokenToUsdPerMillion(p: Pico): string {
  return scaledBigintToDecimal(p, USD_PER_MILLION_SCALE);
}

function isTokenLimit(n: number | null): boolean {
  return n === null || (Number.isSafeInteger(n) && n > 0);
}

/**
 * Checks a row's invariants: a model id, a finite effectiveFrom, non-negative prices, a cached price no higher
 * than the input price (so a call never costs more than its hold prices the prompt at), positive or null limits.
 * Throws PriceFormatError naming the model and the broken rule.
 */
export function validatePrice(price: Price): void {
  const fail = (why: string): never => {
    throw new PriceFormatError(`invalid price row for ${JSON.stringify(price.model)}: ${why}`);
  };
  if (typeof price.model !== 'string' || price.model.length === 0) fail('model id is empty');
  if (!Number.isSafeInteger(price.effectiveFrom)) fail(`effectiveFrom ${price.effectiveFrom} is not an integer epoch ms`);
  for (const key of ['inputPerToken', 'cachedInputPerToken', 'outputPerToken'] as const) {
    if (typeof price[key] !== 'bigint' || price[key] < 0n) fail(`${key} must be a non-negative bigint`);
  }
  if (price.cachedInputPerToken > price.inputPerToken) fail('cachedInputPerToken exceeds inputPerToken');
  if (!isTokenLimit(price.maxInputTokens)) fail(`maxInputTokens ${price.maxInputTokens} is not a positive integer or null`);
  if (!isTokenLimit(price.maxOutputTokens)) fail(`maxOutputTokens ${price.maxOutputTokens} is not a positive integer or null`);
  if (!PRICE_MODES.includes(price.mode)) fail(`unknown mode ${JSON.stringify(price.mode)}`);
}
