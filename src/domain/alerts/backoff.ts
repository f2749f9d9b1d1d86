// When a failed delivery is tried again: a fixed schedule of delays, then give up after the last attempt.

/** Delays after the 1st, 2nd, … failed attempt (ms); the last one repeats if the schedule is shorter. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000,
];
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface RetryPolicy {
  scheduleMs: readonly number[];
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, maxAttempts: DEFAULT_MAX_ATTEMPTS };

/**
 * When to try again after attempt number `attempt` (1-based) failed at `failedAt`, or null to give up.
 * @example nextAttemptAt(1, 0, DEFAULT_RETRY_POLICY) // 30_000
 */
export function nextAttemptAt(attempt: number, failedAt: number, policy: RetryPolicy): number | null {
  if (attempt >= policy.maxAttempts || policy.scheduleMs.length === 0) return null;
  const delay = policy.scheduleMs[Math.min(attempt, policy.scheduleMs.length) - 1] ?? 0;
  return failedAt + delay;
}
