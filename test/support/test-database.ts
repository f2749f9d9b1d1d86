// Per-test PostgreSQL databases on the machine's server (127.0.0.1:5432): each test creates its own and drops it.
// TOLLGATE_TEST_PG_URL overrides the server. Outside CI an unreachable server skips PostgreSQL runs loudly;
// under CI=true it fails them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.TOLLGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tollgate_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

let reachable: Promise<boolean> | undefined;

/** Whether PostgreSQL answers; under CI=true an unreachable server throws instead of returning false. */
export function postgresAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch (err) {
      if (process.env.CI === 'true') {
        throw new Error(`PostgreSQL is expected under CI but unreachable at ${PG_ADMIN_URL}: ${(err as Error).message}`);
      }
      process.stderr.write(`\n!!! SKIPPING PostgreSQL tests: ${PG_ADMIN_URL} unreachable (${(err as Error).message}) !!!\n\n`);
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return reachable;
}

/** Which store the end-to-end suite runs against: TOLLGATE_TEST_STORE=postgres|sqlite (default sqlite). */
export function testStoreKind(): 'sqlite' | 'postgres' {
  return process.env.TOLLGATE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}
