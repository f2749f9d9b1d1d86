// tollgate serve [--port N]: runs the gateway until SIGINT/SIGTERM, then drains in-flight requests and settles them.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { startGateway, type RunningGateway } from '../gateway.js';
import { createLogger } from '../observability/logger.js';
import { CliError, optional, parse } from './args.js';
import { runMode } from '../http/routes/health.js';

export async function serveCommand(argv: string[], config: Config): Promise<RunningGateway> {
  const v = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  const port = optional(v, 'port');
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError('--port must be 0..65535');
    config = { ...config, port: n };
  }
  const host = optional(v, 'host');
  if (host) config = { ...config, host };
  const logger = createLogger(config.logLevel);
  const releaseLock = config.databaseUrl ? () => {} : lockSqlite(config.sqlitePath);
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config, { logger });
  } catch (err) {
    releaseLock();
    throw err;
  }
  logger.info('tollgate listening', {
    url: gateway.url, store: gateway.deps.store.kind, upstream: config.upstreamBaseUrl, mode: runMode(gateway.deps.store.kind, gateway.deps.redis !== undefined),
  });
  if (!config.upstreamApiKey) logger.warn('OPENAI_API_KEY is not set: upstream calls are sent without a key');
  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    await gateway.close();
    releaseLock();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return gateway;
}

/**
 * One serving process per SQLite file: balances and holds live in that process's memory, so a second one would
 * let an account spend twice. The lock is a pid file; a stale one (its process gone) is taken over.
 */
function lockSqlite(dbPath: string): () => void {
  if (dbPath === ':memory:') return () => {};
  const lockPath = `${dbPath}.serve.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try { unlinkSync(lockPath); } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new CliError(`another tollgate serve (pid ${pid}) is using ${dbPath}; one process per SQLite file ` +
          '(run several replicas on PostgreSQL instead)');
      }
      unlinkSync(lockPath);
    }
  }
  throw new CliError(`cannot lock ${dbPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
