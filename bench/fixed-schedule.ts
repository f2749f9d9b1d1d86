// The schedule shared by the open-loop generators: `total` requests at `rate` per second from 5 ms after the call,
// each handed over by a timer at its turn (all those whose turn has passed, when the timer fires late), and the
// figures of a run from its samples.
import { performance } from 'node:perf_hooks';
import type { FixedRateResult } from './fixed-rate.js';
import { percentiles } from './stats.js';

/** Calls `fire(index, scheduled, now)` for every request in turn; resolves once the last one was handed over. */
export function runSchedule(rate: number, total: number, fire: (index: number, scheduled: number, now: number) => void): Promise<void> {
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  let next = 0;
  return new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval, now);
        next++;
      }
      if (next >= total) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 5);
  });
}

/** What a run records of its measured requests (ms): latency, time to first byte, timer lag, and failures. */
export class RunSamples {
  readonly latencies: number[] = [];
  readonly ttfbs: number[] = [];
  readonly lags: number[] = [];
  errors = 0;

  /** How many requests the schedule makes for `spec`, and the index of the first measured one. */
  static plan(spec: { rate: number; warmupS: number; durationS: number }): { total: number; measuredFrom: number } {
    return { total: Math.round((spec.warmupS + spec.durationS) * spec.rate), measuredFrom: Math.round(spec.warmupS * spec.rate) };
  }

  result(spec: { rate: number; durationS: number }, sent: number): FixedRateResult {
    return fixedRateResult(spec, sent, this.errors, this.latencies, this.ttfbs, this.lags);
  }
}

/** The run's figures from the latencies, times to first byte and timer lags of its measured requests (ms). */
export function fixedRateResult(
  spec: { rate: number; durationS: number }, sent: number, errors: number, latencies: number[], ttfbs: number[], lags: number[],
): FixedRateResult {
  const [p50 = Number.NaN, p99 = Number.NaN] = percentiles(latencies, [50, 99]);
  const [t50 = Number.NaN, t99 = Number.NaN] = percentiles(ttfbs, [50, 99]);
  const [lag99 = Number.NaN] = percentiles(lags, [99]);
  return {
    rate: spec.rate, durationS: spec.durationS, sent, ok: latencies.length, errors,
    p50Ms: p50, p99Ms: p99, ttfbP50Ms: t50, ttfbP99Ms: t99, lagP99Ms: lag99,
  };
}
