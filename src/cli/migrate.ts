// tollgate migrate: applies pending migrations to the configured store (also done at every start) and seeds prices.
import type { Store } from '../store/store.js';
import { parse, printJson } from './args.js';

export async function migrateCommand(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { json: { type: 'boolean' } });
  // Opening the store applied the migrations (under an advisory lock on PostgreSQL); report where we stand.
  const prices = (await store.listPrices()).length;
  if (v.json) printJson({ store: store.kind, migrated: true, prices });
  else process.stdout.write(`${store.kind} store is up to date (${prices} price rows)\n`);
}
