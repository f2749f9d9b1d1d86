// PostgreSQL connection pool with 64-bit integers (and integral numerics such as SUM()) read as bigint,
// and numbered migrations applied under an advisory lock so replicas starting together migrate once.
import pg from 'pg';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));
const MIGRATION_LOCK = 7_246_518_303;

const INT8 = 20;
const NUMERIC = 1700;

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PoolOptions {
  max?: number;
  connectionTimeoutMillis?: number;
  statementTimeoutMillis?: number;
}

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMillis ?? 15_000,
    types: types as unknown as pg.CustomTypesConfig,
  });
  // An idle client losing its connection (e.g. a PostgreSQL restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export async function migratePostgres(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  const stopCatching = catchClientErrors(client);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    const done: string[] = [];
    for (const file of files) {
      const version = file.replace(/\.sql$/, '');
      if (applied.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      done.push(version);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    stopCatching();
    client.release();
  }
}

/**
 * pg-pool listens for errors only on idle clients: a checked-out client whose connection drops emits an 'error' event
 * nobody handles, which would crash the process. The query in progress rejects with the same error, so the listener
 * only has to exist. Returns the function that removes it (call it right before release()).
 */
function catchClientErrors(client: pg.PoolClient): () => void {
  const ignore = () => {};
  client.on('error', ignore);
  return () => client.removeListener('error', ignore);
}

/** Runs `fn` in one transaction on one client; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const stopCatching = catchClientErrors(client);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A client that cannot even roll back is not returned to the pool.
    await client.query('ROLLBACK').catch((rollbackErr: Error) => { broken = rollbackErr; });
    throw err;
  } finally {
    stopCatching();
    client.release(broken);
  }
}
