// tollgate prices set | import | list: the operator's price catalog, versioned by effective date.
import { readFileSync } from 'node:fs';
import { parseLiteLlmPrices } from '../domain/pricing/litellm-import.js';
import { PriceBook } from '../domain/pricing/price-book.js';
import { picoPerTokenToUsdPerMillion, usdPerMillionToPicoPerToken, validatePrice, type Price } from '../domain/pricing/price.js';
import type { Store } from '../store/store.js';
import { priceView } from '../views/views.js';
import { CliError, optional, parse, parseIsoTime, parseWithPositionals, printJson, required } from './args.js';

export async function pricesCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'set') return set(rest, store);
  if (sub === 'import') return importFile(rest, store);
  if (sub === 'list') return list(rest, store);
  throw new CliError('usage: tollgate prices set --model MODEL --input USD_PER_1M --output USD_PER_1M [--cached-input USD_PER_1M] ' +
    '[--effective-from ISO8601] [--max-output-tokens N] | prices import FILE [--effective-from ISO8601] | prices list [--model M] [--json]');
}

function usd(v: Record<string, string | boolean | undefined>, flag: string): bigint {
  try {
    return usdPerMillionToPicoPerToken(required(v, flag));
  } catch (err) {
    throw new CliError(`--${flag}: ${(err as Error).message}`);
  }
}

async function set(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, {
    model: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' }, 'cached-input': { type: 'string' },
    'effective-from': { type: 'string' }, 'max-output-tokens': { type: 'string' }, 'max-input-tokens': { type: 'string' },
    json: { type: 'boolean' },
  });
  const model = required(v, 'model');
  const now = Date.now();
  const effective = optional(v, 'effective-from');
  const effectiveFrom = effective ? parseIsoTime(effective, 'effective-from') : now;
  const current = new PriceBook(await store.listPrices()).lookup(model, Number.MAX_SAFE_INTEGER);
  const inherited = current?.model === model ? current : undefined;
  const input = usd(v, 'input');
  const limit = (flag: string, fallback: number | null): number | null => {
    const text = optional(v, flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(`--${flag} must be a positive integer`);
    return n;
  };
  const price: Price = {
    model, effectiveFrom, inputPerToken: input,
    cachedInputPerToken: optional(v, 'cached-input') ? usd(v, 'cached-input') : input,
    outputPerToken: usd(v, 'output'),
    maxOutputTokens: limit('max-output-tokens', inherited?.maxOutputTokens ?? null),
    maxInputTokens: limit('max-input-tokens', inherited?.maxInputTokens ?? null),
    mode: inherited?.mode ?? 'chat',
  };
  try {
    validatePrice(price);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  await store.insertPrices([price], 'operator', now);
  if (v.json) printJson(priceView(price));
  else process.stdout.write(`price for ${model} from ${new Date(effectiveFrom).toISOString()}: input ${picoPerTokenToUsdPerMillion(price.inputPerToken)}, ` +
    `cached ${picoPerTokenToUsdPerMillion(price.cachedInputPerToken)}, output ${picoPerTokenToUsdPerMillion(price.outputPerToken)} per 1M tokens\n`);
}

async function importFile(argv: string[], store: Store): Promise<void> {
  const { values: v, positionals } = parseWithPositionals(argv, { 'effective-from': { type: 'string' }, providers: { type: 'string' }, json: { type: 'boolean' } });
  const file = positionals[0];
  if (!file) throw new CliError('usage: tollgate prices import FILE');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const now = Date.now();
  const effective = optional(v, 'effective-from');
  const providers = optional(v, 'providers');
  let result;
  try {
    result = parseLiteLlmPrices(doc, effective ? parseIsoTime(effective, 'effective-from') : now,
      providers ? { providers: providers.split(',').map((p) => p.trim()) } : {});
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`);
  }
  const written = await store.insertPrices(result.prices, 'import', now);
  if (v.json) printJson({ imported: written, skipped: result.skipped.length, skipped_models: result.skipped });
  else process.stdout.write(`imported ${written} prices from ${file}; skipped ${result.skipped.length} entries (other providers or not meterable)\n`);
}

async function list(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { model: { type: 'string' }, json: { type: 'boolean' } });
  const model = optional(v, 'model');
  const rows = (await store.listPrices()).filter((p) => !model || p.model === model).map(priceView);
  if (v.json) printJson(rows);
  else for (const r of rows) process.stdout.write(`${r.model}\t${r.effective_from}\tin ${r.input}\tcached ${r.cached_input}\tout ${r.output}\n`);
}
