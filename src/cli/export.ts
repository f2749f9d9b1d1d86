// tollgate export usage|ledger --account ID [--since ISO] [--until ISO] [--out FILE]: CSV, streamed (stdout by default).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvChunks, EXPORT_KINDS, pipeChunks, type ExportKind } from '../services/exports/csv-export.js';
import { exportSourceFor } from '../services/exports/export-source.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parseIsoTime, parseWithPositionals, required } from './args.js';

export async function exportCommand(argv: string[], store: Store): Promise<void> {
  const { values: v, positionals } = parseWithPositionals(argv, {
    account: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' },
  });
  const kind = positionals[0];
  if (positionals.length !== 1 || !(EXPORT_KINDS as readonly string[]).includes(kind!)) throw new CliError('usage: tollgate export usage|ledger --account ID [--since ISO] [--until ISO] [--out FILE]');
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const since = optional(v, 'since');
  const until = optional(v, 'until');
  const period = {
    accountId,
    since: since ? parseIsoTime(since, 'since') : 0,
    until: until ? parseIsoTime(until, 'until') : Date.now() + 1,
  };
  if (period.until <= period.since) throw new CliError('--until must be after --since');
  const chunks = csvChunks(exportSourceFor(store), kind as ExportKind, period);
  const file = optional(v, 'out');
  if (!file) {
    await pipeChunks(chunks, process.stdout);
    return;
  }
  const out = createWriteStream(file);
  try {
    await pipeChunks(chunks, out);
  } finally {
    out.end();
  }
  await once(out, 'finish');
}
