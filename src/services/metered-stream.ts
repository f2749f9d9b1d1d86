// Streams an upstream SSE answer to the client as it arrives, metering it on the way. The terminal event
// (`data: [DONE]`, or the Responses API's final event) is held back until the charge is durable, so a client that
// saw a complete stream was charged for it. A stream cut off by either side is charged for the prompt plus the
// output actually delivered; when the client leaves, the upstream stream is aborted so generation stops.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { SseMeter } from '../domain/metering/sse-meter.js';
import type { GatewayDeps } from './gateway-deps.js';
import type { Settler } from './metered-call.js';
import type { RequestPlan } from './request-plan.js';
import type { Remember } from './cache/cache-step.js';

export async function forwardStream(
  plan: RequestPlan, upstream: Dispatcher.ResponseData, res: ServerResponse, headers: Record<string, string>,
  abort: AbortController, deps: GatewayDeps, settle: Settler, remember?: Remember,
): Promise<void> {
  const endpoint = plan.endpoint === 'embeddings' ? 'chat.completions' : plan.endpoint;
  const meter = new SseMeter({ endpoint, model: plan.model, hideUsage: !plan.clientWantsUsage && endpoint !== 'responses' });
  let clientGone = false;
  const onClose = () => {
    if (!res.writableEnded && !clientGone) {
      clientGone = true;
      abort.abort();
    }
  };
  res.on('close', onClose);
  if (res.destroyed || abort.signal.aborted) onClose();
  res.writeHead(upstream.statusCode, { ...headers, 'cache-control': 'no-cache', connection: 'keep-alive' });

  let tail: Buffer[] = [];
  // What the client is sent, kept only when a completed stream is to be cached (the response cache replays it).
  const delivered: Buffer[] | undefined = remember ? [] : undefined;
  let upstreamBroke = false;
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      const out = meter.push(chunk);
      if (!out) continue;
      if (tail.length > 0 || meter.finished()) {
        const { head, last } = tail.length > 0 ? { head: undefined, last: out } : splitLastEvent(out);
        if (head) await write(res, head);
        if (head) delivered?.push(head);
        tail.push(last);
      } else {
        await write(res, out);
        delivered?.push(out);
      }
      if (clientGone) break;
    }
    const rest = meter.end();
    if (rest) tail.push(rest);
  } catch {
    upstreamBroke = !clientGone;
  }
  if (clientGone) upstream.body.destroy();

  const usage = meter.usage();
  const complete = meter.finished() && usage !== undefined && !clientGone && !upstreamBroke;
  const now = deps.now();
  if (complete) {
    await settle({ status: 'ok', httpStatus: upstream.statusCode, tokens: usage, now });
  } else {
    // Cut off: the prompt as counted for the hold, plus the output the client was actually sent.
    const delivered = meter.deliveredOutputTokens();
    await settle({
      status: 'cut_off', httpStatus: upstream.statusCode, aborted: clientGone, now,
      tokens: { inputTokens: plan.promptTokens, cachedInputTokens: 0, outputTokens: delivered, reasoningTokens: 0 },
    });
  }
  res.off('close', onClose);
  if (clientGone) return;
  if (upstreamBroke) {
    // Let the client see the break rather than a stream that looks complete.
    res.destroy();
    return;
  }
  for (const part of tail) await write(res, part);
  res.end();
  if (delivered && complete && !res.destroyed) {
    remember?.({ status: upstream.statusCode, contentType: String(headers['content-type'] ?? 'text/event-stream'), stream: true,
      body: Buffer.concat([...delivered, ...tail]), usage });
  }
}

/** Splits a buffer of whole SSE events into everything before its last event, and that last event. */
export function splitLastEvent(buf: Buffer): { head: Buffer | undefined; last: Buffer } {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d)) end--;
  const lf = buf.lastIndexOf('\n\n', end - 1);
  const crlf = buf.lastIndexOf('\r\n\r\n', end - 1);
  const cut = Math.max(lf >= 0 ? lf + 2 : -1, crlf >= 0 ? crlf + 4 : -1);
  if (cut <= 0) return { head: undefined, last: buf };
  return { head: buf.subarray(0, cut), last: buf.subarray(cut) };
}

/** Writes with backpressure: waits for 'drain' (or the client leaving) when the socket buffer is full. */
async function write(res: ServerResponse, data: Buffer): Promise<void> {
  if (res.destroyed || res.writableEnded) return;
  if (res.write(data)) return;
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
