// A TCP proxy on 127.0.0.1 that a test puts between a gateway and PostgreSQL to simulate an outage without touching
// the real server: cut() destroys every connection and then refuses (or black-holes) new ones; restore() lets them in.
// muteAfter() makes a commit's outcome unknown to the client: the statement reaches the server, its answer never returns.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** How a cut proxy treats a new connection: `refuse` accepts and resets it at once, `blackhole` never answers. */
export type CutMode = 'refuse' | 'blackhole';

export interface TcpProxy {
  port: number;
  /** Connections accepted since the proxy started (cut or not). */
  readonly accepted: number;
  /** Destroys every open connection; new ones are refused or black-holed until restore(). */
  cut(mode?: CutMode): void;
  restore(): void;
  /**
   * On the next connection whose client sends `marker` (e.g. "COMMIT\0", a simple-protocol COMMIT), the bytes still
   * reach the server but nothing the server sends afterwards reaches the client. Resolves once that happened.
   */
  muteAfter(marker: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let mode: CutMode | undefined;
  let accepted = 0;
  let arm: { marker: Buffer; fired: () => void } | undefined;

  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    let muted = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (arm && chunk.includes(arm.marker)) {
        muted = true;
        const { fired } = arm;
        arm = undefined;
        fired();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!muted) client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const destroyAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };

  return {
    port,
    get accepted() {
      return accepted;
    },
    cut(how: CutMode = 'refuse') {
      mode = how;
      destroyAll();
    },
    restore() {
      // Black-holed connections never reached PostgreSQL: drop them so their clients fail fast and reconnect.
      if (mode === 'blackhole') destroyAll();
      mode = undefined;
    },
    muteAfter(marker) {
      return new Promise<void>((resolve) => {
        arm = { marker: Buffer.from(marker, 'utf8'), fired: resolve };
      });
    },
    async close() {
      arm = undefined;
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same database URL, with its host and port replaced by the proxy's. */
export function throughProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}
