// Latency samples -> percentiles, and the small number formatting the bench report uses.

/** The q-th percentile (0..100) of `samples` by nearest rank; NaN when there are none. Sorts a copy. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Percentiles of one sample set, sorting it once. */
export function percentiles(samples: readonly number[], qs: readonly number[]): number[] {
  if (samples.length === 0) return qs.map(() => Number.NaN);
  const sorted = Float64Array.from(samples).sort();
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!);
}

/** A number with `digits` decimals, or "n/a" when it is not finite. */
export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as a percentage ("52.3%"), or "n/a". */
export function pct(ratio: number | undefined, digits = 1): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return 'n/a';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A signed difference in ms ("+0.21 ms"), or "n/a". */
export function deltaMs(value: number | undefined, digits = 2): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)} ms`;
}
