// Time buckets of a usage or costs page, and the opaque page cursor (`next_page`) that continues a query.
// Buckets are UTC, of the query's width, laid from the query's start (start_time taken down to its minute, since
// rollups are per minute); the last one ends at the query's end.

export const MINUTE = 60;

export interface Bucket {
  start: number;
  end: number;
}

/** The page's buckets, from `pageStart`, at most `limit`, and whether more follow (then `next` starts the next page). */
export function pageBuckets(q: { pageStart: number; end: number; widthSec: number; limit: number }):
  { buckets: Bucket[]; next: number | null } {
  const buckets: Bucket[] = [];
  let at = q.pageStart;
  while (at < q.end && buckets.length < q.limit) {
    buckets.push({ start: at, end: Math.min(at + q.widthSec, q.end) });
    at += q.widthSec;
  }
  return { buckets, next: at < q.end ? at : null };
}

/** `page_` + base64url of "next:end" (unix seconds). */
export function encodeCursor(next: number, end: number): string {
  return `page_${Buffer.from(`${next}:${end}`, 'utf8').toString('base64url')}`;
}

export function decodeCursor(cursor: string): { next: number; end: number } | null {
  if (!cursor.startsWith('page_')) return null;
  const text = Buffer.from(cursor.slice('page_'.length), 'base64url').toString('utf8');
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(text);
  if (!m) return null;
  const next = Number(m[1]);
  const end = Number(m[2]);
  if (next % MINUTE !== 0 || end % MINUTE !== 0) return null;
  return { next, end };
}
