import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { LedgerEntry } from '../../store/records.js';
import { csvChunks, pipeChunks } from './csv-export.js';
import type { ExportSource } from './export-source.js';

function ledgerSource(total: number) {
  const calls: number[] = [];
  const source: ExportSource = {
    usagePage: async () => [],
    ledgerPage: async (_p, afterSeq, limit) => {
      calls.push(afterSeq);
      const rows: LedgerEntry[] = [];
      for (let seq = afterSeq + 1; seq <= Math.min(total, afterSeq + limit); seq++) {
        rows.push({ seq, accountId: 'acct_a', kind: 'capture', amount: BigInt(seq), grantId: 'g', requestId: `r${seq}`, idempotencyKey: `k${seq}`, createdAt: seq });
      }
      return rows;
    },
  };
  return { source, calls };
}

test('pages are read one at a time, and the next only after the destination drained the previous one', async () => {
  const { source, calls } = ledgerSource(5_000);
  let received = 0;
  const log: Array<['write', number] | ['page', number]> = [];
  const slow = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      setTimeout(cb, 2); // a slow client
    },
  });
  // Once write() said "full", neither another write nor another page read may happen before 'drain'.
  let full = false;
  let violations = 0;
  slow.on('drain', () => { full = false; });
  const wrapped: ExportSource = { ...source, ledgerPage: async (...a) => { if (full) violations++; log.push(['page', calls.length]); return source.ledgerPage(...a); } };
  const origWrite = slow.write.bind(slow);
  slow.write = ((chunk: string) => { if (full) violations++; const ok = origWrite(chunk); if (!ok) full = true; return ok; }) as typeof slow.write;
  await pipeChunks(csvChunks(wrapped, 'ledger', { accountId: 'acct_a', since: 0, until: 10_000 }, 500), slow);
  await new Promise<void>((r) => slow.end(r));
  assert.deepEqual(calls, [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
  assert.equal(violations, 0, 'nothing is read or written while the destination is full');
  assert.ok(received > 5_000 * 20);
  assert.equal(log.length, 11);
});

test('a destination that closes mid-export stops the export: no further pages are read', async () => {
  const { source, calls } = ledgerSource(5_000);
  const closing = new Writable({
    highWaterMark: 16,
    write(_chunk, _enc, cb) { setImmediate(() => { this.destroy(); cb(); }); },
  });
  await assert.rejects(pipeChunks(csvChunks(source, 'ledger', { accountId: 'acct_a', since: 0, until: 10_000 }, 500), closing));
  assert.ok(calls.length <= 2, `read ${calls.length} pages`);
});
