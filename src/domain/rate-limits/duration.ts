// Durations written as OpenAI writes them in x-ratelimit-reset-* and in "Please try again in …" (Go's
// time.Duration form at millisecond precision): 0s, 20ms, 1s, 8.64s, 6m0s, 1m26.4s, 1h2m3s.

/** Formats a non-negative duration; a fraction of a millisecond rounds up (a client never retries too early). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  const total = Math.ceil(ms);
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const frac = millis % 1000;
  const seconds = frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
