// tollgate usage --account ID [--since ISO] [--json]: one record per request.
import { usageView } from '../views/views.js';
import type { Store } from '../store/store.js';
import { optional, parse, parseIsoTime, printJson, required } from './args.js';

export async function usageCommand(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
  const since = optional(v, 'since');
  const limit = optional(v, 'limit');
  const records = await store.listUsage({
    accountId: required(v, 'account'),
    ...(since ? { since: parseIsoTime(since, 'since') } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
  });
  const rows = records.map(usageView);
  if (v.json) printJson(rows);
  else for (const r of rows) {
    process.stdout.write(`${r.created_at}\t${r.request_id}\t${r.endpoint}\t${r.model}\t${r.status}\tin ${r.input_tokens} (cached ${r.cached_input_tokens})\tout ${r.output_tokens}\t${r.cost} credits${r.cache_hit ? `\tcache hit, saved ${r.saved}` : ''}\n`);
  }
}
