// Plain HTTP calls to a gateway with undici (no SDK retries or parsing in the way), for tests that look at exact
// status codes, headers and bodies, or that fire hundreds of requests at once.
import { Agent, request } from 'undici';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** A connection pool big enough that a race of a few hundred requests really runs in parallel. */
export function raceAgent(connections = 256): Agent {
  return new Agent({ connections, pipelining: 1, keepAliveTimeout: 1_000 });
}

export async function postJson(
  baseURL: string, path: string, key: string, body: unknown, opts: { dispatcher?: Agent; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const res = await request(`${baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The `data:` payloads of an SSE body, in order (the `[DONE]` marker included as the string "[DONE]"). */
export function sseData(text: string): string[] {
  const out: string[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const lines = event.split(/\r?\n/).filter((l) => l.startsWith('data:'));
    if (lines.length === 0) continue;
    out.push(lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n'));
  }
  return out;
}
