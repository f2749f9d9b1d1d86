// The CSV export of a freshly generated batch: one row per code, with what it is worth and until when.
import { formatCredits, type Pico } from '../money/pico.js';

export interface CsvCode {
  code: string;
  codeId: string;
}

export interface CsvBatch {
  batchId: string;
  amount: Pico;
  expiresAt: number | null;
}

export const CSV_HEADER = 'code,code_id,batch_id,credits,expires_at';

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. Lines end in CRLF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function codesCsv(batch: CsvBatch, codes: readonly CsvCode[]): string {
  const expires = batch.expiresAt === null ? '' : new Date(batch.expiresAt).toISOString();
  const lines = [CSV_HEADER];
  for (const c of codes) {
    lines.push([c.code, c.codeId, batch.batchId, formatCredits(batch.amount), expires].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
