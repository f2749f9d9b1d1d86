// Closed-loop load in pure Node: N keep-alive connections (one undici Pool), each looping request -> full answer.
// A response counts when it completes inside the measured window, which opens after the warm-up without a pause.
import { Pool } from 'undici';
import type { ClosedLoopSpec, LoadResult } from './load-types.js';
import { percentiles } from './stats.js';

/** A request that takes longer than this counts as an error (and never hangs the bench). */
export const REQUEST_TIMEOUT_MS = 10_000;

export async function nodeClosedLoop(spec: ClosedLoopSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  const pool = new Pool(target.origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const body = Buffer.from(spec.body);
  const headers = { 'content-type': 'application/json', authorization: spec.authorization };
  const latencies: number[] = [];
  let errors = 0;
  const begin = performance.now();
  const windowStart = begin + spec.warmupS * 1000;
  const windowEnd = windowStart + spec.durationS * 1000;
  let startCalled = false;
  let endCalled = false;
  const openWindow = () => { if (!startCalled) { startCalled = true; spec.onWindowStart(); } };
  const closeWindow = () => { openWindow(); if (!endCalled) { endCalled = true; spec.onWindowEnd(); } };
  const opened = setTimeout(openWindow, Math.max(0, windowStart - performance.now()));
  const closed = setTimeout(closeWindow, Math.max(0, windowEnd - performance.now()));

  const worker = async () => {
    while (performance.now() < windowEnd) {
      const started = performance.now();
      let ok = false;
      try {
        const res = await pool.request({
          method: 'POST', path: target.pathname, headers, body, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
        });
        for await (const chunk of res.body) void chunk;
        ok = res.statusCode >= 200 && res.statusCode < 300;
      } catch {
        ok = false;
      }
      const ended = performance.now();
      if (ended < windowStart || ended >= windowEnd) continue;
      if (ok) latencies.push(ended - started);
      else errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: spec.connections }, worker));
  } finally {
    clearTimeout(opened);
    clearTimeout(closed);
    await pool.close();
  }
  closeWindow();
  const durationS = spec.durationS;
  const [p50 = Number.NaN, p99 = Number.NaN] = percentiles(latencies, [50, 99]);
  const requests = latencies.length + errors;
  return { tool: 'node', connections: spec.connections, durationS, requests, errors, rps: requests / durationS, p50Ms: p50, p99Ms: p99 };
}
