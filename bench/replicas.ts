// Two Tollgate replicas on one fresh PostgreSQL database, behind two wrk processes (one per replica, summed), in
// front of the fast fake upstream: a HOT account (one key) and a SPREAD of accounts (a key per request, round robin),
// JSON and streaming; then the books are read back from the database to show that nothing was overspent.
// Run: node --import tsx bench/replicas.ts [--warmup 3] [--duration 10] [--connections 32] [--accounts 200] [--profile]
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateApiKey, hashApiKey, redactApiKey } from '../src/domain/ids/api-key.js';
import { parseCredits } from '../src/domain/money/pico.js';
import { builtinPrices } from '../src/domain/pricing/catalog.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { createTestDatabase } from '../test/support/test-database.js';
import { coreBusy, coreTimes, processCpuMicros } from './cpu.js';
import { BENCH_GRANT_CREDITS, BENCH_TIER, writeBenchTierFile } from './gateway-setup.js';
import { parseWrkOutput, runWrk, WRK_DONE_HOOK, wrkAvailable } from './load-wrk.js';
import type { ClosedLoopSpec, LoadResult } from './load-types.js';
import { gatewayReadyLine, REPO_ROOT, startService, type Service } from './processes.js';
import { renderProfileSummary, summarizeProfile, type CpuProfile } from './profile-summary.js';
import { checkAnswer, scenarioBody, SCENARIOS, type ScenarioName } from './scenarios.js';
import { fmt, pct } from './stats.js';
import { startUpstream } from './targets.js';

const UPSTREAM_KEY = 'sk-bench-upstream';
const MODES = ['hot', 'spread'] as const;
type Mode = (typeof MODES)[number];
/** The issue's targets, total req/s over both replicas. */
const TARGET_RPS: Record<Mode, number> = { hot: 2_000, spread: 4_000 };

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    accounts: { type: 'string', default: '200' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('node --import tsx bench/replicas.ts [--warmup S] [--duration S] [--connections N per wrk] [--accounts N] [--profile]\n');
  process.exit(0);
}
const warmupS = Number(values.warmup);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const spreadAccounts = Number(values.accounts);
const loadBefore = loadavg();

interface Funded { accountIds: string[]; keys: string[] }

/** Accounts on the bench tier, each with one generous grant and one project key, created straight in the store. */
async function fund(store: PgStore, name: string, count: number): Promise<Funded> {
  const out: Funded = { accountIds: [], keys: [] };
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const { account, project } = await store.createAccount({ name: `${name}-${i}`, tier: BENCH_TIER, now });
    await store.insertGrant({ accountId: account.id, source: 'adjustment', amount: parseCredits(BENCH_GRANT_CREDITS) }, now);
    const key = generateApiKey();
    await store.createKey({
      accountId: account.id, projectId: project.id, kind: 'project', name, secretHash: hashApiKey(key), redacted: redactApiKey(key),
    }, now);
    out.accountIds.push(account.id);
    out.keys.push(key);
  }
  return out;
}

/** wrk Lua: the POST body, and an Authorization header taken round robin from `keys` per request; done() as JSON. */
function wrkKeysScript(body: string, keys: readonly string[], offset: number): string {
  const quote = (s: string) => `[==[${s}]==]`;
  return `local keys = { ${keys.map((k) => quote(`Bearer ${k}`)).join(', ')} }
local i = ${offset}
local body = ${quote(body)}
request = function()
  i = i % #keys + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Authorization"] = keys[i] }, body)
end

${WRK_DONE_HOOK}`;
}

interface Books {
  accounts: number;
  granted: bigint;
  remaining: bigint;
  costs: bigint;
  held: bigint;
  openHolds: number;
  negativeGrants: number;
  usage: number;
  usageOk: number;
  balanced: boolean;
}

/** The books of a set of accounts, read from the database in one statement (one snapshot). */
async function books(store: PgStore, accountIds: readonly string[]): Promise<Books> {
  const { rows } = await store.pool.query(`SELECT
      (SELECT COALESCE(SUM(amount_pico), 0) FROM grants WHERE account_id = ANY($1)) AS granted,
      (SELECT COALESCE(SUM(remaining_pico), 0) FROM grants WHERE account_id = ANY($1)) AS remaining,
      (SELECT COUNT(*) FROM grants WHERE account_id = ANY($1) AND remaining_pico < 0) AS negative,
      (SELECT COALESCE(SUM(held_pico), 0) FROM account_balances WHERE account_id = ANY($1)) AS held,
      (SELECT COUNT(*) FROM holds WHERE account_id = ANY($1) AND closed_at IS NULL) AS open_holds,
      (SELECT COALESCE(SUM(cost_pico), 0) FROM usage_records WHERE account_id = ANY($1)) AS costs,
      (SELECT COUNT(*) FROM usage_records WHERE account_id = ANY($1)) AS usage,
      (SELECT COUNT(*) FROM usage_records WHERE account_id = ANY($1) AND status = 'ok') AS usage_ok`, [accountIds]);
  const r = rows[0] as Record<string, bigint>;
  const b = {
    accounts: accountIds.length, granted: r['granted']!, remaining: r['remaining']!, costs: r['costs']!, held: r['held']!,
    openHolds: Number(r['open_holds']), negativeGrants: Number(r['negative']), usage: Number(r['usage']), usageOk: Number(r['usage_ok']),
  };
  return { ...b, balanced: b.costs === b.granted - b.remaining && b.openHolds === 0 && b.held === 0n && b.negativeGrants === 0 };
}

/** Waits (up to 15 s) until the replicas have settled every hold of these accounts. */
async function settled(store: PgStore, accountIds: readonly string[]): Promise<Books> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const b = await books(store, accountIds);
    if (b.openHolds === 0 || Date.now() > deadline) return b;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CPU time of every running `postgres` process (server and backends), in microseconds. */
function postgresCpuMicros(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') total += processCpuMicros(Number(pid));
    } catch { /* the process ended */ }
  }
  return total;
}

interface DbStats { commits: number; rowsWritten: number }

/** Commits and rows written in the bench database so far (pg_stat_database; backends flush it within about 1 s). */
async function dbStats(store: PgStore): Promise<DbStats> {
  const { rows } = await store.pool.query(`SELECT xact_commit AS c, tup_inserted + tup_updated + tup_deleted AS w
    FROM pg_stat_database WHERE datname = current_database()`);
  const r = rows[0] as { c: bigint; w: bigint };
  return { commits: Number(r.c), rowsWritten: Number(r.w) };
}

/** Samples, every 50 ms, what the other backends of this database wait on (pg_stat_activity); counts per wait. */
function startWaitSampler(store: PgStore): { finish(): Promise<Record<string, number>> } {
  const counts: Record<string, number> = {};
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const { rows } = await store.pool.query(`SELECT state, wait_event_type, wait_event FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      for (const r of rows as Array<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>) {
        const what = r.state === 'active' ? (r.wait_event_type === null ? 'active: on CPU' : `active: ${r.wait_event_type}/${r.wait_event ?? ''}`)
          : `${r.state ?? 'unknown'}${r.wait_event_type === 'Client' ? '' : ` ${r.wait_event_type ?? ''}`}`;
        counts[what] = (counts[what] ?? 0) + 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { async finish() { stop = true; await done; return counts; } };
}

interface Cell {
  mode: Mode;
  scenario: ScenarioName;
  perReplica: LoadResult[];
  rps: number;
  requests: number;
  errors: number;
  cpuUsPerRequest: { replicas: number; postgres: number; upstream: number };
  cores: Record<string, number>;
  windowUs: [number, number];
  books: Books;
  metered: number;
  /** pg_stat_database deltas over warm-up, window and settlement, divided by the usage records written. */
  commitsPerRequest: number;
  rowsWrittenPerRequest: number;
  waits: Record<string, number>;
}

async function measure(
  mode: Mode, scenario: ScenarioName, replicas: Service[], upstream: Service, funded: Funded, store: PgStore, workDir: string,
): Promise<Cell> {
  const body = scenarioBody(scenario);
  const before = await books(store, funded.accountIds);
  const stats0 = await dbStats(store);
  // One checked answer per replica before measuring.
  for (const r of replicas) {
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: 'POST', body, headers: { authorization: `Bearer ${funded.keys[0]!}`, 'content-type': 'application/json' },
    });
    checkAnswer(scenario, res.status, await res.text());
  }
  const scripts = replicas.map((r, i) => {
    const path = join(workDir, `${mode}-${scenario}-${i}.lua`);
    // Each wrk starts at the other end of the key list, so the two replicas serve different accounts at a time.
    writeFileSync(path, wrkKeysScript(body, funded.keys, Math.floor((i * funded.keys.length) / replicas.length)));
    return path;
  });
  const spec = (r: Service): ClosedLoopSpec => ({
    url: `${r.url}/v1/chat/completions`, authorization: '', body, connections, warmupS, durationS, onWindowStart() {}, onWindowEnd() {},
  });
  await Promise.all(replicas.map((r, i) => runWrk(scripts[i]!, spec(r), warmupS, undefined)));
  const cpu0 = replicas.map((r) => processCpuMicros(r.pid));
  const pg0 = postgresCpuMicros();
  const up0 = processCpuMicros(upstream.pid);
  const cores0 = coreTimes();
  const from = Number(process.hrtime.bigint() / 1000n);
  const sampler = startWaitSampler(store);
  const outputs = await Promise.all(replicas.map((r, i) => runWrk(scripts[i]!, spec(r), durationS, undefined)));
  const to = Number(process.hrtime.bigint() / 1000n);
  const waits = await sampler.finish();
  const cores = coreBusy(cores0, coreTimes());
  const replicaCpu = replicas.reduce((s, r, i) => s + processCpuMicros(r.pid) - cpu0[i]!, 0);
  const pgCpu = postgresCpuMicros() - pg0;
  const upCpu = processCpuMicros(upstream.pid) - up0;
  const perReplica = outputs.map((o) => parseWrkOutput(o, connections));
  const requests = perReplica.reduce((s, l) => s + l.requests, 0);
  const after = await settled(store, funded.accountIds);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let the backends flush their statistics
  const stats1 = await dbStats(store);
  const metered = after.usage - before.usage;
  return {
    mode, scenario, perReplica, requests,
    rps: perReplica.reduce((s, l) => s + l.rps, 0),
    errors: perReplica.reduce((s, l) => s + l.errors, 0),
    cpuUsPerRequest: { replicas: replicaCpu / requests, postgres: pgCpu / requests, upstream: upCpu / requests },
    cores, windowUs: [from, to], books: after, metered,
    commitsPerRequest: (stats1.commits - stats0.commits) / metered,
    rowsWrittenPerRequest: (stats1.rowsWritten - stats0.rowsWritten) / metered,
    waits,
  };
}

function renderBooks(b: Books): string {
  return `Σ grants ${b.granted} − Σ remaining ${b.remaining} = ${b.granted - b.remaining} pico; Σ usage costs ${b.costs} pico ` +
    `(${b.costs === b.granted - b.remaining ? 'equal' : 'NOT EQUAL'}); open holds ${b.openHolds}; held ${b.held}; grants below zero ${b.negativeGrants}`;
}

function render(cells: Cell[], date: string, profiles: string[]): string {
  const lines = [
    `## Two Tollgate replicas on PostgreSQL — ${date}`,
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}. ` +
      `Load average before the run (other processes on this shared machine): ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}.`,
    `Load: two wrk processes at once (1 thread, ${connections} keep-alive connections each), one per replica, summed; ` +
      `${warmupS} s warm-up, then one ${durationS} s measured window. No pinning: PostgreSQL, both replicas, both wrk and the ` +
      'fake upstream share all cores. HOT = one account, one key. SPREAD = ' +
      `${spreadAccounts} accounts with one key each, round robin per request. Every account: ${BENCH_GRANT_CREDITS} credits, bench tier.`,
    '',
    '| scenario | total req/s | target | replica A req/s · p50 / p99 ms | replica B req/s · p50 / p99 ms | errors (non-2xx, socket) | metered | CPU µs/req replicas · postgres · upstream | core busy |',
    '|---|---:|---:|---|---|---:|---:|---|---|',
  ];
  for (const c of cells) {
    const [a, b] = c.perReplica;
    const rep = (l: LoadResult | undefined) => (l ? `${fmt(l.rps)} · ${fmt(l.p50Ms, 2)} / ${fmt(l.p99Ms, 2)}` : 'n/a');
    lines.push(`| ${c.mode} ${c.scenario} | ${fmt(c.rps)} | ${fmt(TARGET_RPS[c.mode])} ${c.rps >= TARGET_RPS[c.mode] ? '✓' : '✗'} | ${rep(a)} | ${rep(b)} | ` +
      `${c.errors} | ${c.metered} | ${fmt(c.cpuUsPerRequest.replicas)} · ${fmt(c.cpuUsPerRequest.postgres)} · ${fmt(c.cpuUsPerRequest.upstream)} | ` +
      `${Object.entries(c.cores).map(([k, v]) => `${k} ${pct(v, 0)}`).join(', ')} |`);
  }
  lines.push('', '| scenario | PG commits / request | PG rows written / request | what the replicas\' backends were doing (samples every 50 ms) |', '|---|---:|---:|---|');
  for (const c of cells) {
    const total = Object.values(c.waits).reduce((s, n) => s + n, 0);
    const waits = Object.entries(c.waits).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, n]) => `${k} ${pct(n / total, 0)}`).join('; ');
    lines.push(`| ${c.mode} ${c.scenario} | ${fmt(c.commitsPerRequest, 2)} | ${fmt(c.rowsWrittenPerRequest, 1)} | ${waits} |`);
  }
  lines.push('', 'Metered = usage records written for the scenario (warm-up, checks and measured window). ' +
    'Percentiles are per wrk process; they cannot be merged exactly, so both are shown.', '', '### Zero overspend (read from the database after the replicas settled)', '');
  for (const c of cells) lines.push(`- ${c.mode} ${c.scenario} (${c.books.accounts} account(s), cumulative): ${renderBooks(c.books)} — ${c.books.balanced ? 'OK' : 'FAILED'}`);
  lines.push('', ...profiles);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!(await wrkAvailable())) throw new Error('wrk is required (apt-get install -y wrk)');
  const date = new Date().toISOString();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-replicas-'));
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = date.replace(/[:.]/g, '-');
  const database = await createTestDatabase();
  const services: Service[] = [];
  let store: PgStore | undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    store = await PgStore.open(database.url, { max: 4 });
    await store.insertPrices(builtinPrices(), 'builtin', Date.now());
    const hot = await fund(store, 'bench-hot', 1);
    const spread = await fund(store, 'bench-spread', spreadAccounts);
    log(`database ${database.name}: 1 hot + ${spreadAccounts} spread accounts funded`);
    const tiersFile = join(workDir, 'tiers.json');
    writeBenchTierFile(tiersFile);
    const upstream = await startUpstream(undefined);
    services.push(upstream);
    const profileDir = join(workDir, 'profile');
    for (const id of ['a', 'b']) {
      const profile = values.profile && id === 'a' ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
      services.push(await startService({
        name: `replica ${id}`, cpu: undefined,
        nodeArgs: [...profile, '--import', 'tsx', 'src/cli/entry.ts', 'serve', '--port', '0'],
        env: {
          DATABASE_URL: database.url, TOLLGATE_REPLICA_ID: `bench-${id}`, OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: UPSTREAM_KEY,
          TOLLGATE_SIGNUP_CREDITS: '0', TOLLGATE_HOST: '127.0.0.1', TOLLGATE_CONFIG: '', TOLLGATE_DB: '', REDIS_URL: '',
          TOLLGATE_TIERS_FILE: tiersFile, TOLLGATE_LOG_LEVEL: 'info',
        },
        readyLine: gatewayReadyLine,
      }));
    }
    const replicas = services.slice(1);
    const cells: Cell[] = [];
    for (const mode of MODES) {
      for (const scenario of SCENARIOS) {
        log(`measuring ${mode} ${scenario} ...`);
        const cell = await measure(mode, scenario, replicas, upstream, mode === 'hot' ? hot : spread, store, workDir);
        log(`  ${fmt(cell.rps)} req/s, ${cell.errors} errors, books ${cell.books.balanced ? 'OK' : 'FAILED'}`);
        cells.push(cell);
      }
    }
    for (const s of services.splice(0).reverse()) await s.stop();
    const profiles: string[] = [];
    if (values.profile) {
      // The main thread's profile is the largest (a worker thread, if any, writes its own small one).
      const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))
        .sort((x, y) => statSync(join(profileDir, y)).size - statSync(join(profileDir, x)).size).slice(0, 1);
      for (const file of files) {
        const kept = join(resultsDir, `${stamp}-replica-a.cpuprofile`);
        copyFileSync(join(profileDir, file), kept);
        const profile = JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile;
        for (const c of cells) {
          profiles.push(renderProfileSummary(summarizeProfile(profile, { top: 15, fromUs: c.windowUs[0], toUs: c.windowUs[1] }),
            `replica A, ${c.mode} ${c.scenario} (measured window)`), '');
        }
      }
    }
    const report = render(cells, date, profiles);
    writeFileSync(join(resultsDir, `${stamp}-replicas.md`), `${report}\n`);
    writeFileSync(join(resultsDir, `${stamp}-replicas.json`), JSON.stringify({ date, cells }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    process.stdout.write(`${report}\n`);
    if (cells.some((c) => !c.books.balanced)) process.exitCode = 1;
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => {});
    await store?.close().catch(() => {});
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
