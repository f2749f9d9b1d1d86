// Streams an export as CSV: pages from an ExportSource, one chunk per page, written with backpressure, so memory
// stays at about one page whatever the period's size.
import type { Writable } from 'node:stream';
import { LEDGER_COLUMNS, USAGE_COLUMNS } from '../../domain/exports/columns.js';
import { csvHeader, csvRow } from '../../domain/exports/csv.js';
import type { ExportPeriod, ExportSource, UsageCursor } from './export-source.js';

export const EXPORT_KINDS = ['usage', 'ledger'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_PAGE_SIZE = 1000;

/**
 * The CSV text of an export: one chunk per page of rows, the header line in front of the first. The first page is
 * read before anything is yielded, so a store that cannot be reached fails before a response has begun.
 */
export async function* csvChunks(source: ExportSource, kind: ExportKind, period: ExportPeriod, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<string> {
  let header = kind === 'usage' ? csvHeader(USAGE_COLUMNS) : csvHeader(LEDGER_COLUMNS);
  const emit = (body: string) => {
    const chunk = header + body;
    header = '';
    return chunk;
  };
  if (kind === 'usage') {
    let after: UsageCursor | null = null;
    for (;;) {
      const page = await source.usagePage(period, after, pageSize);
      yield emit(page.map((u) => csvRow(USAGE_COLUMNS, u)).join(''));
      if (page.length < pageSize) return;
      const last = page.at(-1)!;
      after = { createdAt: last.createdAt, requestId: last.requestId };
    }
  }
  let afterSeq = 0;
  for (;;) {
    const page = await source.ledgerPage(period, afterSeq, pageSize);
    yield emit(page.map((e) => csvRow(LEDGER_COLUMNS, e)).join(''));
    if (page.length < pageSize) return;
    afterSeq = page.at(-1)!.seq;
  }
}

/**
 * Writes every chunk to `out`, waiting for 'drain' whenever `write` returns false. Rejects if `out` closes or fails
 * first (a client that went away): the remaining pages are then never read.
 */
export async function pipeChunks(chunks: AsyncIterable<string>, out: Writable): Promise<void> {
  for await (const chunk of chunks) {
    if (out.destroyed) throw new Error('the export destination closed');
    if (chunk !== '' && !out.write(chunk)) await drained(out);
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the export destination closed'));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', done);
  });
}

/** The file name an export is offered under, e.g. usage-acct_x-2026-11-01-2026-12-01.csv. */
export function exportFileName(kind: ExportKind, period: ExportPeriod): string {
  const day = (t: number) => (t <= 0 ? 'start' : new Date(Math.min(t, 8.64e15)).toISOString().slice(0, 10));
  return `${kind}-${period.accountId}-${day(period.since)}-${day(period.until)}.csv`;
}
