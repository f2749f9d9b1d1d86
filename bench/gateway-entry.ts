// How a standalone bench starts `tollgate serve`: from src/ through tsx (what `npm run bench` does by default), or
// from dist/, the compiled JavaScript that `npm start` runs in production. For dist, the TypeScript is compiled
// first (tsconfig.build.json, about 10 s), so the bench never measures a stale build.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gatewayReadyLine, jsonReadyLine, REPO_ROOT, type ServiceSpec } from './processes.js';

export type GatewayBuild = 'tsx' | 'dist';

export function parseGatewayBuild(value: string | undefined): GatewayBuild {
  if (value === 'tsx' || value === 'dist') return value;
  throw new Error(`--gateway must be tsx or dist, got ${String(value)}`);
}

/** The node arguments that start `tollgate serve` on an ephemeral port (after any node flags of the caller). */
export function gatewayServeArgs(build: GatewayBuild): string[] {
  if (build === 'dist') return ['dist/cli/entry.js', 'serve', '--port', '0'];
  return ['--import', 'tsx', 'src/cli/entry.ts', 'serve', '--port', '0'];
}

/** For dist: compiles src/ into dist/ now. For tsx: nothing to do. */
export function prepareGatewayBuild(build: GatewayBuild): void {
  if (build !== 'dist') return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT, stdio: 'inherit',
  });
}

/**
 * `tollgate serve` as the cache benches run it: the bench's SQLite file and tier ladder, the fake upstream, no Redis,
 * no config file, free cache hits.
 */
export function cacheBenchGateway(opts: {
  build: GatewayBuild; dbPath: string; tiersFile: string; upstreamUrl: string; upstreamKey: string;
  cpu: number | undefined; nodeFlags?: string[];
}): ServiceSpec {
  return {
    name: 'tollgate serve', cpu: opts.cpu, readyLine: gatewayReadyLine,
    nodeArgs: [...(opts.nodeFlags ?? []), ...gatewayServeArgs(opts.build)],
    env: {
      TOLLGATE_DB: opts.dbPath, OPENAI_BASE_URL: opts.upstreamUrl, OPENAI_API_KEY: opts.upstreamKey, TOLLGATE_SIGNUP_CREDITS: '0',
      TOLLGATE_HOST: '127.0.0.1', TOLLGATE_CONFIG: '', DATABASE_URL: '', REDIS_URL: '', TOLLGATE_TIERS_FILE: opts.tiersFile,
      TOLLGATE_CACHE_HIT_PERCENT: '0',
    },
  };
}

/** The fake upstream of the cache benches: the fast simulator plus a listener that counts the requests it received. */
export function countingUpstream(cpu: number | undefined, apiKey: string): ServiceSpec {
  return {
    name: 'fake upstream', cpu, readyLine: jsonReadyLine,
    nodeArgs: ['--import', 'tsx', 'bench/counting-upstream.ts', '--api-key', apiKey],
  };
}
