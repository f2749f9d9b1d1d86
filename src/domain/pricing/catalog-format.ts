// The price catalog file format (USD per 1M tokens as exact decimal strings): validation, conversion to
// Price rows, and building one from a LiteLLM price document (used by scripts/build-price-catalog.ts).
import { z } from 'zod';
import { DEFAULT_LITELLM_PROVIDERS, parseLiteLlmPrices } from './litellm-import.js';
import { picoPerTokenToUsdPerMillion, usdPerMillionToPicoPerToken } from './price.js';
import type { Price } from './price.js';

const usdPerMillion = z.string().regex(/^\d+(?:\.\d+)?$/);
const tokenLimit = z.number().int().positive().nullable();

const catalogSchema = z.object({
  source: z.string(),
  providers: z.array(z.string()),
  takenOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  unit: z.literal('USD per 1M tokens'),
  models: z.array(z.object({
    model: z.string().min(1),
    mode: z.enum(['chat', 'completion', 'embedding', 'responses', 'other']),
    input: usdPerMillion,
    /** null when the model has no cached-input price (cached tokens then cost the input price). */
    cachedInput: usdPerMillion.nullable(),
    output: usdPerMillion,
    maxInputTokens: tokenLimit,
    maxOutputTokens: tokenLimit,
  }).strict()),
  skipped: z.array(z.object({ model: z.string(), reason: z.string() }).strict()),
}).strict();

export type PriceCatalog = z.infer<typeof catalogSchema>;

/** Epoch ms of a catalog's takenOn date (midnight UTC): the effectiveFrom of its rows. */
export function takenOnToEpochMs(takenOn: string): number {
  const ms = Date.parse(`${takenOn}T00:00:00Z`);
  if (!Number.isSafeInteger(ms)) throw new RangeError(`invalid catalog date ${JSON.stringify(takenOn)}`);
  return ms;
}

/** Validates a catalog document and converts it to exact Price rows effective from its takenOn date. */
export function catalogToPrices(document: unknown): Price[] {
  const catalog = catalogSchema.parse(document);
  const effectiveFrom = takenOnToEpochMs(catalog.takenOn);
  return catalog.models.map((row) => {
    const inputPerToken = usdPerMillionToPicoPerToken(row.input);
    return {
      model: row.model,
      effectiveFrom,
      inputPerToken,
      cachedInputPerToken: row.cachedInput === null ? inputPerToken : usdPerMillionToPicoPerToken(row.cachedInput),
      outputPerToken: usdPerMillionToPicoPerToken(row.output),
      maxOutputTokens: row.maxOutputTokens,
      maxInputTokens: row.maxInputTokens,
      mode: row.mode,
    };
  });
}

/**
 * Builds a catalog from a LiteLLM price document: the entries of the given providers, converted exactly,
 * sorted by model id, with the reason each of those providers' other entries was left out.
 */
export function catalogFromLiteLlm(
  document: unknown,
  takenOn: string,
  source: string,
  providers: readonly string[] = DEFAULT_LITELLM_PROVIDERS,
): PriceCatalog {
  const { prices, skipped } = parseLiteLlmPrices(document, takenOnToEpochMs(takenOn), { providers });
  const byModel = (a: { model: string }, b: { model: string }): number => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);
  return {
    source,
    providers: [...providers],
    takenOn,
    unit: 'USD per 1M tokens',
    models: prices
      .map((p) => ({
        model: p.model,
        mode: p.mode,
        input: picoPerTokenToUsdPerMillion(p.inputPerToken),
        cachedInput: p.cachedInputPerToken === p.inputPerToken ? null : picoPerTokenToUsdPerMillion(p.cachedInputPerToken),
        output: picoPerTokenToUsdPerMillion(p.outputPerToken),
        maxInputTokens: p.maxInputTokens,
        maxOutputTokens: p.maxOutputTokens,
      }))
      .sort(byModel),
    // Only the selected providers' entries, so that the list explains what those providers lack.
    skipped: skipped
      .filter((entry) => entry.provider !== null && providers.includes(entry.provider))
      .map(({ model, reason }) => ({ model, reason }))
      .sort(byModel),
  };
}
