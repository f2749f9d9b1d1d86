// Notices changes other processes made (keys revoked, prices set): LISTEN tollgate_changes for an immediate signal,
// and a poll of change_log every second in case a notification was missed (e.g. across a reconnect).
import pg from 'pg';

const POLL_MS = 1_000;

export class PgChangeFeed {
  version = 0;
  private seen: bigint | undefined;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private relistenScheduled = false;

  private constructor(private readonly url: string, private readonly pool: pg.Pool) {}

  static async start(url: string, pool: pg.Pool): Promise<PgChangeFeed> {
    const feed = new PgChangeFeed(url, pool);
    await feed.poll();
    await feed.listen().catch(() => feed.relisten());
    feed.timer = setInterval(() => void feed.poll().catch(() => {}), POLL_MS);
    feed.timer.unref();
    return feed;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3_000 });
    client.on('notification', () => {
      this.version++;
    });
    client.on('error', () => {
      this.client = undefined;
      client.end().catch(() => {});
      this.version++;
      this.relisten();
    });
    await client.connect();
    await client.query('LISTEN tollgate_changes');
    this.client = client;
  }

  /** Tries to listen again every second until it works (a failed reconnect schedules the next one). */
  private relisten(): void {
    if (this.stopped || this.relistenScheduled) return;
    this.relistenScheduled = true;
    setTimeout(() => {
      this.relistenScheduled = false;
      if (!this.client) void this.listen().catch(() => this.relisten());
    }, POLL_MS).unref();
  }

  private async poll(): Promise<void> {
    const { rows } = await this.pool.query('SELECT version FROM change_log WHERE id = 1');
    const v = BigInt((rows[0] as { version: bigint } | undefined)?.version ?? 0n);
    if (this.seen !== undefined && v !== this.seen) this.version++;
    this.seen = v;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.client?.end().catch(() => {});
  }
}
