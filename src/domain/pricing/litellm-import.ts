// Reads a LiteLLM-format price file (model id -> per-token USD floats) into exact Price rows.
// Entries Tollgate cannot bill exactly are skipped with a reason, never rounded or guessed.
import { DecimalError, decimalToScaledBigint, numberToDecimalString } from '../money/decimal.js';
import { PICO_SCALE } from '../money/pico.js';
import type { Pico } from '../money/pico.js';
import { PriceFormatError, validatePrice } from './price.js';
import type { Price, PriceMode } from './price.js';

export const DEFAULT_LITELLM_PROVIDERS: readonly string[] = ['openai', 'text-completion-openai'];

export interface SkippedEntry {
  model: string;
  /** The entry's litellm_provider, or null when it has none. */
  provider: string | null;
  reason: string;
}

export interface LiteLlmImport {
  prices: Price[];
  skipped: SkippedEntry[];
}

/** Thrown only when the document as a whole is not a LiteLLM price map; bad entries are skipped instead. */
export class LiteLlmFormatError extends Error {
  override readonly name = 'LiteLlmFormatError';
}

const BILLED_MODES: readonly PriceMode[] = ['chat', 'completion', 'embedding', 'responses'];
/** LiteLLM's key holding field documentation rather than a model. */
const SAMPLE_SPEC = 'sample_spec';
/** Long-context tiers: e.g. input_cost_per_token_above_272k_tokens. */
const TIER_KEY = /_above_(\d+)k_tokens$/;
/** Models whose every call runs built-in tools (web search) billed per call, which Tollgate does not meter. */
const TOOL_BILLED_ID = /(?:^|[-_.])search(?:[-_.]|$)|deep-research/;

type Entry = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Skip reason carried through the per-entry conversion. */
class Skip extends Error {}

function picoPerToken(entry: Entry, key: string): Pico | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Skip(`${key} is not a finite number`);
    text = numberToDecimalString(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw new Skip(`${key} is not a number`);
  }
  let pico: Pico;
  try {
    pico = decimalToScaledBigint(text, PICO_SCALE);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw new Skip(/^-?[\d.]+(?:e[+-]?\d+)?$/i.test(text)
      ? `${key} ${text} USD is not exact in pico-credits (1e-12)`
      : `${key} is not a number`);
  }
  if (pico < 0n) throw new Skip(`${key} is negative`);
  return pico;
}

function positiveNumber(entry: Entry, key: string): boolean {
  const value = entry[key];
  return typeof value === 'number' && value > 0;
}

/** A token limit: a positive integer, or null when absent or 0 (LiteLLM's "unknown"). */
function tokenLimit(entry: Entry, key: string): number | null {
  const value = entry[key];
  if (value === undefined || value === null || value === 0) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Skip(`${key} is not a non-negative integer`);
  }
  return value;
}

/** The lowest long-context threshold (in tokens) above which this entry's prices change, if any. */
function tierThreshold(entry: Entry): number | null {
  let threshold: number | null = null;
  for (const key of Object.keys(entry)) {
    const match = TIER_KEY.exec(key);
    if (match === null || !positiveNumber(entry, key)) continue;
    const tokens = Number(match[1]) * 1000;
    threshold = threshold === null ? tokens : Math.min(threshold, tokens);
  }
  return threshold;
}

function modeOf(entry: Entry): PriceMode {
  const mode = entry['mode'];
  if (typeof mode !== 'string') throw new Skip('no mode');
  const billed = BILLED_MODES.find((m) => m === mode);
  if (billed === undefined) throw new Skip(`mode "${mode}" is not billed per text token`);
  return billed;
}

function priceOf(model: string, entry: Entry, effectiveFrom: number): Price {
  const mode = modeOf(entry);
  if (model.includes('/')) throw new Skip('prefixed id (provider/ or variant/); only bare model ids are priced');
  if (model.startsWith('ft:')) throw new Skip('fine-tune template: real ids are ft:<base>:<org>:…, price them explicitly');
  if (TOOL_BILLED_ID.test(model)) throw new Skip('every call runs built-in tools billed per call, which Tollgate does not meter');
  const audio = [picoPerToken(entry, 'input_cost_per_audio_token'), picoPerToken(entry, 'output_cost_per_audio_token')];
  if (audio.some((p) => p !== undefined && p > 0n)) {
    throw new Skip('audio tokens are priced apart from text tokens, which Tollgate does not meter');
  }

  const input = picoPerToken(entry, 'input_cost_per_token');
  if (input === undefined) throw new Skip('no input_cost_per_token');
  const output = picoPerToken(entry, 'output_cost_per_token') ?? (mode === 'embedding' ? 0n : undefined);
  if (output === undefined) throw new Skip('no output_cost_per_token');
  const cached = picoPerToken(entry, 'cache_read_input_token_cost') ?? input;
  if (cached > input) throw new Skip('cache_read_input_token_cost exceeds input_cost_per_token');
  const reasoning = picoPerToken(entry, 'output_cost_per_reasoning_token');
  if (reasoning !== undefined && reasoning !== output) throw new Skip('reasoning tokens are priced apart from output tokens');
  const cacheWrite = picoPerToken(entry, 'cache_creation_input_token_cost');
  if (cacheWrite !== undefined && cacheWrite > input) {
    throw new Skip('cache writes cost more than input (cache_creation_input_token_cost), which Tollgate does not meter');
  }

  const threshold = tierThreshold(entry);
  const listedMaxInput = tokenLimit(entry, 'max_input_tokens');
  // Base prices hold only up to the first long-context tier, so the row is valid only up to it.
  const maxInputTokens = threshold === null ? listedMaxInput : Math.min(listedMaxInput ?? threshold, threshold);
  const maxOutputTokens = tokenLimit(entry, 'max_output_tokens') ?? (mode === 'embedding' ? null : tokenLimit(entry, 'max_tokens'));

  const price: Price = {
    model,
    effectiveFrom,
    inputPerToken: input,
    cachedInputPerToken: cached,
    outputPerToken: output,
    maxOutputTokens,
    maxInputTokens,
    mode,
  };
  validatePrice(price);
  return price;
}

/**
 * Converts a LiteLLM `model_prices_and_context_window.json` document into Price rows effective from
 * `effectiveFrom` (epoch ms). Only entries whose `litellm_provider` is in `providers` (default: openai,
 * text-completion-openai) are imported; every other entry except `sample_spec` is listed in `skipped` with a
 * reason. Floats are converted through their shortest decimal; one not exact in pico-credits is skipped.
 * Throws LiteLlmFormatError only when `json` is not an object of entries.
 */
export function parseLiteLlmPrices(
  json: unknown,
  effectiveFrom: number,
  opts: { providers?: readonly string[] } = {},
): LiteLlmImport {
  if (!Number.isSafeInteger(effectiveFrom)) throw new RangeError(`effectiveFrom must be epoch ms, got ${effectiveFrom}`);
  if (!isRecord(json)) {
    throw new LiteLlmFormatError('a LiteLLM price file is a JSON object mapping model ids to price entries');
  }
  const providers = new Set(opts.providers ?? DEFAULT_LITELLM_PROVIDERS);
  const prices: Price[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [model, entry] of Object.entries(json)) {
    if (model === SAMPLE_SPEC) continue;
    const provider = isRecord(entry) && typeof entry['litellm_provider'] === 'string' ? entry['litellm_provider'] : null;
    try {
      if (!isRecord(entry)) throw new Skip('entry is not an object');
      if (provider === null) throw new Skip('no litellm_provider');
      if (!providers.has(provider)) throw new Skip(`provider "${provider}" not selected`);
      if (model.trim() === '' || model !== model.trim()) throw new Skip('model id is empty or has surrounding spaces');
      prices.push(priceOf(model, entry, effectiveFrom));
    } catch (error) {
      if (!(error instanceof Skip || error instanceof PriceFormatError)) throw error;
      skipped.push({ model, provider, reason: error.message });
    }
  }
  return { prices, skipped };
}
