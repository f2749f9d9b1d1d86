// The one connection pool to the upstream OpenAI-compatible API (undici, no fetch/Web Streams on the hot path).
// It adds the upstream key; nothing the client sent as credentials is ever forwarded.
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { UpstreamTimeoutError, UpstreamUnavailableError, type ApiError } from '../http/errors.js';

export interface UpstreamOptions {
  baseUrl: string;
  apiKey: string | undefined;
  connections: number;
  timeoutMs: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, e.g. "/chat/completions". */
  path: string;
  /** A Buffer, or a stream passed through as it arrives (file uploads). */
  body?: Buffer | Readable;
  contentType?: string;
  signal?: AbortSignal;
}

export class UpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: UpstreamOptions) {
    const url = new URL(opts.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.authorization = opts.apiKey ? `Bearer ${opts.apiKey}` : undefined;
    this.timeoutMs = opts.timeoutMs;
  }

  /** Sends a request; connection failures and timeouts become OpenAI-shaped 502/504 errors. */
  async send(req: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { accept: req.method === 'GET' ? 'application/json' : 'application/json, text/event-stream' };
    if (this.authorization) headers.authorization = this.authorization;
    if (req.body) headers['content-type'] = req.contentType ?? 'application/json';
    try {
      return await this.pool.request({
        method: req.method,
        path: this.basePath + req.path,
        headers,
        body: req.body ?? null,
        signal: req.signal ?? null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw toUpstreamError(err);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function toUpstreamError(err: unknown): ApiError {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamTimeoutError();
  }
  return new UpstreamUnavailableError();
}

/** Upstream response headers a client may see; everything else (upstream org, project, rate limits) stays private. */
export const PASS_THROUGH_HEADERS = ['content-type', 'openai-processing-ms', 'openai-version', 'x-tollgate-simulated'] as const;

export function passThroughHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASS_THROUGH_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
