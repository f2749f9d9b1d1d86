// A raw HTTP client for tests of the simulator (and of anything behind it): exact status, headers, body and SSE frames.
import { request } from 'undici';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const init: Parameters<typeof request>[1] = { method: method as 'GET' | 'POST', headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(url, init);
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export function post(url: string, body: unknown, headers?: Record<string, string>): Promise<RawResponse> {
  return call('POST', url, body, headers);
}

export interface SseFrame {
  /** The `event:` line, when there is one. */
  event?: string;
  data: string;
}

/** Splits an SSE body into frames (blank-line separated `event:` / `data:` lines). */
export function sseFrames(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    const frame: SseFrame = { data: '' };
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) frame.event = line.slice('event: '.length);
      else if (line.startsWith('data: ')) frame.data += line.slice('data: '.length);
    }
    frames.push(frame);
  }
  return frames;
}

/** The JSON payloads of an SSE body, `[DONE]` excluded. */
export function sseJson(text: string): Array<Record<string, unknown>> {
  return sseFrames(text).filter((f) => f.data !== '[DONE]').map((f) => JSON.parse(f.data) as Record<string, unknown>);
}
