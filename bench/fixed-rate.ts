// Open-loop load at a fixed rate (wrk2 is not packaged for Debian): requests are fired on a schedule whatever the
// answers do, over a keep-alive undici Pool, and each one's latency and time to first body byte are recorded.
import { Pool } from 'undici';
import { REQUEST_TIMEOUT_MS } from './load-node.js';
import { RunSamples, runSchedule } from './fixed-schedule.js';

export interface FixedRateSpec {
  url: string;
  authorization: string;
  body: string;
  /** Requests per second. */
  rate: number;
  warmupS: number;
  durationS: number;
  connections?: number;
  /** Extra request headers (e.g. `x-tollgate-cache: skip`). */
  headers?: Record<string, string>;
  /** Called with the status and headers of every measured answer (e.g. to count cache hits). */
  onAnswer?: (status: number, headers: Record<string, string | string[] | undefined>) => void;
}

export interface FixedRateResult {
  rate: number;
  durationS: number;
  /** Requests fired in the measured window. */
  sent: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Time to the first byte of the answer body (for a stream: its first event). */
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  /** How late the timer fired requests, p99 (latency is measured from the actual send, so this is reported apart). */
  lagP99Ms: number;
}

export async function fixedRate(spec: FixedRateSpec): Promise<FixedRateResult> {
  const target = new URL(spec.url);
  const pool = new Pool(target.origin, { connections: spec.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const body = Buffer.from(spec.body);
  const headers = { 'content-type': 'application/json', authorization: spec.authorization, ...spec.headers };
  const { total, measuredFrom } = RunSamples.plan(spec);
  const samples = new RunSamples();
  const { latencies, ttfbs, lags } = samples;
  const inFlight = new Set<Promise<void>>();

  const fire = (index: number, scheduled: number) => {
    const sent = performance.now();
    const measured = index >= measuredFrom;
    if (measured) lags.push(sent - scheduled);
    const p = (async () => {
      let first = 0;
      try {
        const res = await pool.request({
          method: 'POST', path: target.pathname, headers, body, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
        });
        for await (const chunk of res.body) {
          if (first === 0) first = performance.now();
          void chunk;
        }
        const ended = performance.now();
        if (!measured) return;
        spec.onAnswer?.(res.statusCode, res.headers);
        if (res.statusCode < 200 || res.statusCode >= 300) {
          samples.errors++;
          return;
        }
        latencies.push(ended - sent);
        ttfbs.push((first || ended) - sent);
      } catch {
        if (measured) samples.errors++;
      }
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  await runSchedule(spec.rate, total, (index, scheduled) => fire(index, scheduled));
  await Promise.all(inFlight);
  await pool.close();
  return samples.result(spec, total - measuredFrom);
}
