// The practical ceiling for an OpenAI pass-through in Node: node:http in, one undici Pool out. It forwards method,
// path and body, swaps in the upstream key, and streams the answer back without parsing anything. Not metered.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

export interface BareProxyOptions {
  /** Upstream origin, e.g. http://127.0.0.1:4000 (the client's path is sent unchanged). */
  upstreamOrigin: string;
  apiKey?: string;
  port?: number;
  connections?: number;
}

export interface BareProxy {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

export async function startBareProxy(opts: BareProxyOptions): Promise<BareProxy> {
  const pool = new Pool(opts.upstreamOrigin, { connections: opts.connections ?? 256, pipelining: 1, keepAliveTimeout: 30_000 });
  const authorization = opts.apiKey === undefined ? undefined : `Bearer ${opts.apiKey}`;

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => forward(req, res, parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
  });

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const headers: Record<string, string> = { accept: req.headers.accept ?? '*/*' };
    const contentType = req.headers['content-type'];
    if (contentType !== undefined) headers['content-type'] = contentType;
    const auth = authorization ?? req.headers.authorization;
    if (auth !== undefined) headers.authorization = auth;
    pool.stream(
      { method: (req.method ?? 'GET') as 'GET', path: req.url ?? '/', headers, body: body.length > 0 ? body : null },
      ({ statusCode, headers: upstreamHeaders }) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamHeaders)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(statusCode, out);
        return res;
      },
    ).catch(() => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream unavailable","type":"server_error"}}');
      } else {
        res.destroy();
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { upstream: { type: 'string' }, 'api-key': { type: 'string' }, port: { type: 'string' } },
  });
  if (values.upstream === undefined) throw new Error('usage: bare-proxy.ts --upstream http://127.0.0.1:PORT [--api-key K] [--port N]');
  const proxy = await startBareProxy({
    upstreamOrigin: new URL(values.upstream).origin,
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
    port: Number(values.port ?? 0),
  });
  process.stdout.write(`${JSON.stringify({ ready: true, url: proxy.url, pid: process.pid })}\n`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`bare-proxy: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
