// Regenerates src/domain/pricing/builtin-catalog.json from a LiteLLM price file (OpenAI's own models only).
// Usage: node --import tsx scripts/build-price-catalog.ts [LITELLM_JSON] [TAKEN_ON YYYY-MM-DD]
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { catalogFromLiteLlm } from '../src/domain/pricing/catalog-format.js';

const DEFAULT_SOURCE = '/work/shared/reference/model_prices_and_context_window.json';
const DEFAULT_TAKEN_ON = '2026-07-01';
const OUTPUT = new URL('../src/domain/pricing/builtin-catalog.json', import.meta.url);

const sourcePath = process.argv[2] ?? DEFAULT_SOURCE;
const takenOn = process.argv[3] ?? DEFAULT_TAKEN_ON;

const document: unknown = JSON.parse(readFileSync(sourcePath, 'utf8'));
const catalog = catalogFromLiteLlm(document, takenOn, `LiteLLM ${basename(sourcePath)}`);
writeFileSync(OUTPUT, `${JSON.stringify(catalog, null, 2)}\n`);

console.log(`wrote ${catalog.models.length} prices (taken on ${takenOn}) to ${OUTPUT.pathname}`);
console.log(`skipped ${catalog.skipped.length} entries of ${catalog.providers.join(', ')}:`);
for (const { model, reason } of catalog.skipped) console.log(`  ${model}: ${reason}`);
