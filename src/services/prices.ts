// The price book the request path reads, reloaded from the store when it changes.
import { PriceBook } from '../domain/pricing/price-book.js';
import { DEFAULT_PRICE_MODEL, type Price } from '../domain/pricing/price.js';
import type { Store } from '../store/store.js';

export class Prices {
  private book: PriceBook = new PriceBook([]);

  constructor(private readonly store: Store) {}

  async reload(): Promise<void> {
    this.book = new PriceBook(await this.store.listPrices());
  }

  lookup(model: string, at: number): Price | undefined {
    return this.book.lookup(model, at);
  }

  models(): string[] {
    return this.book.models();
  }

  /** True when the operator set a "*" default price, so every model is served. */
  hasDefault(at: number): boolean {
    return this.book.lookup(DEFAULT_PRICE_MODEL, at) !== undefined;
  }
}
