// Batch API prices: OpenAI bills batches at half the standard per-token price.
import type { Pico } from '../money/pico.js';
import type { Price } from './price.js';

/**
 * Half of a per-token price in pico-credits, rounded up when the standard price is an odd number of pico.
 * Every OpenAI batch price in LiteLLM's file is exactly half the standard one, so no price in use rounds; an odd
 * operator price rounds toward the operator by less than 1 pico per token.
 * @example halfPico(2_500_000n) // 1_250_000n
 */
export function halfPico(perToken: Pico): Pico {
  return (perToken + 1n) / 2n;
}

/** The batch price row for a standard price row: every per-token component halved (limits and mode unchanged). */
export function batchPrice(price: Price): Price {
  return {
    ...price,
    inputPerToken: halfPico(price.inputPerToken),
    cachedInputPerToken: halfPico(price.cachedInputPerToken),
    outputPerToken: halfPico(price.outputPerToken),
  };
}
