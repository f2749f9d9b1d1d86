// CSV for exports (RFC 4180): fields quoted when they hold a comma, a quote, CR or LF; quotes doubled; CRLF line ends.
// Text fields that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe.

export type CsvKind = 'text' | 'plain';

export interface CsvColumn<T> {
  name: string;
  /** 'text': free text that may come from a client (guarded against formula injection); 'plain': numbers, times, ids. */
  kind: CsvKind;
  value: (row: T) => string | number | boolean | null;
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: null is empty; text that starts like a formula is prefixed with ' (so it reads back with the '). */
export function csvField(value: string | number | boolean | null, kind: CsvKind): string {
  if (value === null) return '';
  let text = String(value);
  if (kind === 'text' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader<T>(columns: readonly CsvColumn<T>[]): string {
  return `${columns.map((c) => csvField(c.name, 'plain')).join(',')}\r\n`;
}

export function csvRow<T>(columns: readonly CsvColumn<T>[], row: T): string {
  return `${columns.map((c) => csvField(c.value(row), c.kind)).join(',')}\r\n`;
}

/** Parses RFC 4180 text back into rows of fields (for tests and tools; the inverse of csvRow without the guard). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}
