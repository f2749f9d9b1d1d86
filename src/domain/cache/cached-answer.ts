// A stored answer: what is needed to replay it byte for byte (the JSON body, or the SSE events the client was sent)
// and to charge and record the hit (its usage). Encoded as one buffer, a JSON header line then the body bytes.
import type { TokenUsage } from '../pricing/cost.js';

export interface CachedAnswer {
  status: number;
  contentType: string;
  /** True when `body` is an SSE stream (the delivered events, terminal event included). */
  stream: boolean;
  body: Buffer;
  usage: TokenUsage;
  storedAt: number;
}

interface Header {
  v: 1;
  s: number;
  c: string;
  st: boolean;
  u: [number, number, number, number];
  at: number;
}

export function encodeAnswer(a: CachedAnswer): Buffer {
  const u = a.usage;
  const header: Header = { v: 1, s: a.status, c: a.contentType, st: a.stream, u: [u.inputTokens, u.cachedInputTokens, u.outputTokens, u.reasoningTokens], at: a.storedAt };
  // JSON.stringify escapes newlines, so the first '\n' ends the header.
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), a.body]);
}

/** Undefined for anything that is not an encoded answer (a foreign or older value is a miss, never an error). */
export function decodeAnswer(buf: Buffer): CachedAnswer | undefined {
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return undefined;
  let h: Partial<Header>;
  try {
    h = JSON.parse(buf.subarray(0, nl).toString('utf8')) as Partial<Header>;
  } catch {
    return undefined;
  }
  if (h.v !== 1 || typeof h.s !== 'number' || typeof h.c !== 'string' || typeof h.st !== 'boolean' || typeof h.at !== 'number'
    || !Array.isArray(h.u) || h.u.length !== 4 || !h.u.every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  const [inputTokens, cachedInputTokens, outputTokens, reasoningTokens] = h.u;
  return {
    status: h.s, contentType: h.c, stream: h.st, body: buf.subarray(nl + 1), storedAt: h.at,
    usage: { inputTokens, cachedInputTokens, outputTokens, reasoningTokens },
  };
}

/** Bytes an answer occupies in memory, for the LRU's bound: the body plus a fixed allowance for the rest. */
export function answerBytes(a: CachedAnswer, keyLength: number): number {
  return a.body.length + a.contentType.length + keyLength * 2 + 160;
}
