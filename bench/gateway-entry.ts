// How a standalone bench starts `tollgate serve`: from src/ through tsx (what `npm run bench` does by default), or
// from dist/, the compiled JavaScript that `npm start` runs in production. For dist, the TypeScript is compiled
// first (tsconfig.build.json, about 10 s), so the bench never measures a stale build.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './processes.js';

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
