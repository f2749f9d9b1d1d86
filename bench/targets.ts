// The three servers the bench compares, each started as its own process: the fast fake upstream alone, Tollgate
// (`tollgate serve`, full metering on SQLite) in front of it, and the bare undici pass-through proxy in front of it.
import { join } from 'node:path';
import { meteredSummary, prepareGatewayDb, writeBenchTierFile, type MeteredSummary } from './gateway-setup.js';
import { readFileSync } from 'node:fs';
import { gatewayReadyLine, jsonReadyLine, REPO_ROOT, startService, type Service } from './processes.js';

export const TARGETS = ['upstream', 'tollgate', 'bare-proxy'] as const;
export type TargetName = (typeof TARGETS)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  upstream: 'fake upstream (direct)',
  tollgate: 'Tollgate (metered)',
  'bare-proxy': 'bare undici proxy',
};

const UPSTREAM_KEY = 'sk-bench-upstream';

export interface TargetOptions {
  /** Core for the server under test; undefined = no pinning. */
  serverCpu: number | undefined;
  /** Core for the fake upstream when it is not the server under test. */
  sideCpu: number | undefined;
  /** Directory for the gateway's SQLite file (and CPU profiles). */
  workDir: string;
  /** 'tsx' runs src/cli/entry.ts; 'dist' runs the compiled dist/cli/entry.js (npm run build first). */
  gateway: 'tsx' | 'dist';
  /** Write a V8 CPU profile of the server under test into this directory (Tollgate only). */
  cpuProfileDir?: string | undefined;
}

export interface RunningTarget {
  name: TargetName;
  /** Full URL of POST /v1/chat/completions on the server under test. */
  chatUrl: string;
  authorization: string;
  /** The process under test (its CPU time is what the bench reads). */
  server: Service;
  /** The fake upstream behind a proxy, when separate from the server under test (shared, not stopped by stop()). */
  upstream: Service | undefined;
  /** The gateway's own counters (Tollgate only), as last copied by bench/journal-probe.ts. */
  counters?: () => Record<string, number> | undefined;
  /** Stops everything; for Tollgate, returns what it metered. */
  stop(): Promise<MeteredSummary | undefined>;
}

/** Starts the fast fake upstream as its own process (pinned to `cpu` when given). */
export function startUpstream(cpu: number | undefined): Promise<Service> {
  return startService({
    name: 'fake upstream', cpu, nodeArgs: ['--import', 'tsx', 'bench/upstream-server.ts', '--api-key', UPSTREAM_KEY],
    readyLine: jsonReadyLine,
  });
}

/**
 * Starts one target. The proxies forward to `upstream` (the shared fake upstream on the side core), which their
 * stop() leaves running; the direct target starts its own upstream as the server under test.
 */
export async function startTarget(
  name: TargetName, opts: TargetOptions, run: number, upstream: () => Promise<Service>,
): Promise<RunningTarget> {
  if (name === 'upstream') {
    const server = await startUpstream(opts.serverCpu);
    return {
      name, chatUrl: `${server.url}/chat/completions`, authorization: `Bearer ${UPSTREAM_KEY}`, server, upstream: undefined,
      async stop() { await server.stop(); return undefined; },
    };
  }
  const side = await upstream();
  if (name === 'bare-proxy') {
    const server = await startService({
      name: 'bare proxy', cpu: opts.serverCpu,
      nodeArgs: ['--import', 'tsx', 'bench/bare-proxy.ts', '--upstream', side.url, '--api-key', UPSTREAM_KEY],
      readyLine: jsonReadyLine,
    });
    return {
      name, chatUrl: `${server.url}/v1/chat/completions`, authorization: 'Bearer sk-bench-client', server, upstream: side,
      async stop() { await server.stop(); return undefined; },
    };
  }
  const dbPath = join(opts.workDir, `tollgate-${run}.db`);
  const funded = await prepareGatewayDb(dbPath);
  const tiersFile = join(opts.workDir, 'tiers.json');
  writeBenchTierFile(tiersFile);
  const profile = opts.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir];
  const entry = opts.gateway === 'dist' ? ['dist/cli/entry.js'] : ['src/cli/entry.ts'];
  const probeFile = join(opts.workDir, `journal-${run}.json`);
  const metricsModule = join(REPO_ROOT, opts.gateway === 'dist' ? 'dist/observability/metrics.js' : 'src/observability/metrics.ts');
  const server = await startService({
    name: 'tollgate serve', cpu: opts.serverCpu,
    nodeArgs: [...profile, '--import', 'tsx', '--import', './bench/journal-probe.ts', ...entry, 'serve', '--port', '0'],
    env: {
      TOLLGATE_BENCH_PROBE_FILE: probeFile, TOLLGATE_BENCH_METRICS_MODULE: metricsModule,
      TOLLGATE_DB: dbPath, OPENAI_BASE_URL: side.url, OPENAI_API_KEY: UPSTREAM_KEY, TOLLGATE_SIGNUP_CREDITS: '0',
      TOLLGATE_HOST: '127.0.0.1', TOLLGATE_CONFIG: '', DATABASE_URL: '', REDIS_URL: '', TOLLGATE_TIERS_FILE: tiersFile,
    },
    readyLine: gatewayReadyLine,
  });
  return {
    name, chatUrl: `${server.url}/v1/chat/completions`, authorization: `Bearer ${funded.key}`, server, upstream: side,
    counters: () => readCounters(probeFile),
    async stop() {
      await server.stop();
      return meteredSummary(dbPath);
    },
  };
}

function readCounters(file: string): Record<string, number> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return undefined;
  }
}
