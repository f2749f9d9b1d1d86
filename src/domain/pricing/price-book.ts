// In-memory lookup over versioned price rows: which price applies to a model at a given time.
import { DEFAULT_PRICE_MODEL, PriceFormatError, validatePrice } from './price.js';
import type { Price } from './price.js';

/**
 * Price rows grouped by exact model id. Rows are validated on construction; two rows for the same model and
 * effectiveFrom are refused, since either choice would be a guess about what the operator meant.
 */
export class PriceBook {
  /** Per model id, its rows sorted by effectiveFrom ascending. */
  readonly #byModel = new Map<string, Price[]>();

  constructor(rows: readonly Price[]) {
    for (const row of rows) {
      validatePrice(row);
      const list = this.#byModel.get(row.model);
      if (list === undefined) this.#byModel.set(row.model, [{ ...row }]);
      else list.push({ ...row });
    }
    for (const [model, list] of this.#byModel) {
      list.sort((a, b) => a.effectiveFrom - b.effectiveFrom);
      for (let i = 1; i < list.length; i++) {
        if (list[i]?.effectiveFrom === list[i - 1]?.effectiveFrom) {
          throw new PriceFormatError(
            `two price rows for ${JSON.stringify(model)} take effect at the same time (${new Date(list[i]?.effectiveFrom ?? 0).toISOString()})`,
          );
        }
      }
    }
  }

  /**
   * The price that applies to `model` at time `at` (epoch ms): the newest row with effectiveFrom <= at for the
   * exact model id (a dated snapshot's base name is never guessed); failing that the same for the "*" default
   * row; else undefined, and the caller refuses the request.
   */
  lookup(model: string, at: number): Price | undefined {
    const row = this.#newestAt(model, at) ?? this.#newestAt(DEFAULT_PRICE_MODEL, at);
    return row === undefined ? undefined : { ...row };
  }

  /** Distinct priced model ids, sorted, without the "*" default. */
  models(): string[] {
    return [...this.#byModel.keys()].filter((m) => m !== DEFAULT_PRICE_MODEL).sort();
  }

  #newestAt(model: string, at: number): Price | undefined {
    const list = this.#byModel.get(model);
    if (list === undefined) return undefined;
    // Binary search for the last row with effectiveFrom <= at.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid]?.effectiveFrom ?? Infinity) <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : list[lo - 1];
  }
}
