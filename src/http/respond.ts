// Writing responses: JSON bodies and OpenAI-shaped errors, always with the request's x-request-id.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  sendBytes(res, status, payload, { 'content-type': 'application/json', ...headers });
}

export function sendBytes(res: ServerResponse, status: number, payload: Buffer, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': String(payload.length) });
  res.end(payload);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.toBody(), err.headers);
}
