// What one metered request costs the SQLite journal, by requests per commit and by the shape of the request ids
// (random, as today, or time-ordered), on a database that already holds earlier requests. It drives the real store
// (SqliteStore.commitBatchNow) with the postings the wallet makes: a hold, and later a settlement with one draw.
// CLI: node --import tsx bench/journal-cost.ts [--prefill N] [--requests N]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { processWriteBytes } from './cpu.js';
import { prepareGatewayDb } from './gateway-setup.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { HoldPosting, SettlementPosting } from '../src/store/store.js';

export type IdShape = 'random' | 'time-ordered';

export interface JournalCost {
  ids: IdShape;
  perCommit: number;
  wallUs: number;
  cpuUs: number;
  diskKB: number;
}

let counter = 0;

/** `random` is newRequestId()'s shape today; `time-ordered` puts the millisecond clock and a counter first. */
function requestId(shape: IdShape): string {
  if (shape === 'random') return `req_${randomBytes(16).toString('hex')}`;
  counter = (counter + 1) % 0x1000000;
  return `req_${Date.now().toString(16).padStart(12, '0')}${counter.toString(16).padStart(6, '0')}${randomBytes(7).toString('hex')}`;
}

export async function measureJournal(opts: { prefill: number; requests: number; perCommit: number[]; ids: IdShape[] }): Promise<JournalCost[]> {
  const out: JournalCost[] = [];
  for (const ids of opts.ids) {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
    try {
      const dbPath = join(dir, 'journal.db');
      const { accountId } = await prepareGatewayDb(dbPath);
      const store = new SqliteStore(dbPath, { synchronous: 'NORMAL' });
      const lotId = store.loadLots(accountId)[0]!.id;
      const hold = (): HoldPosting => ({
        requestId: requestId(ids), accountId, amount: 100_000_000n, at: Date.now(), budgetRefs: [],
        meta: { projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions', stream: false },
      });
      const settlement = (h: HoldPosting): SettlementPosting => {
        const now = Date.now();
        return {
          requestId: h.requestId, accountId, holdAmount: h.amount, holdAt: h.at, budgetRefs: [], at: now,
          draws: [{ lotId, amount: 13_800_000n }],
          usage: {
            requestId: h.requestId, accountId, projectId: null, keyId: null, model: 'gpt-4o-mini', endpoint: 'chat.completions',
            inputTokens: 12, cachedInputTokens: 0, outputTokens: 20, reasoningTokens: 0, cost: 13_800_000n, uncollected: 0n,
            hold: h.amount, priceEffectiveFrom: null, cacheHit: false, status: 'ok', httpStatus: 200, stream: false,
            aborted: false, latencyMs: 1, createdAt: now,
          },
        };
      };
      // Holds are committed in one turn of the event loop and their settlements in a later one, as in the gateway.
      const round = (n: number) => {
        const holds = Array.from({ length: n }, hold);
        store.commitBatchNow({ holds, settlements: [], usages: [] });
        store.commitBatchNow({ holds: [], settlements: holds.map(settlement), usages: [] });
      };
      for (let done = 0; done < opts.prefill; done += 50) round(50);
      for (const perCommit of opts.perCommit) {
        const rounds = Math.max(1, Math.round(opts.requests / perCommit));
        const disk0 = processWriteBytes(process.pid);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < rounds; i++) round(perCommit);
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const n = rounds * perCommit;
        out.push({
          ids, perCommit, wallUs: (wall * 1000) / n, cpuUs: (cpu.user + cpu.system) / n,
          diskKB: (processWriteBytes(process.pid) - disk0) / 1024 / n,
        });
      }
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { prefill: { type: 'string' }, requests: { type: 'string' } } });
  const prefill = Number(values.prefill ?? 60_000);
  const results = await measureJournal({
    prefill, requests: Number(values.requests ?? 8_000), perCommit: [1, 10], ids: ['random', 'time-ordered'],
  });
  process.stdout.write(`Journal cost per request on a database already holding ${prefill} requests:\n\n` +
    '| request ids | requests per commit | wall µs/req | CPU µs/req | disk KB/req |\n|---|---:|---:|---:|---:|\n' +
    results.map((r) => `| ${r.ids} | ${r.perCommit} | ${r.wallUs.toFixed(0)} | ${r.cpuUs.toFixed(0)} | ${r.diskKB.toFixed(1)} |`).join('\n') + '\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`journal-cost: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
