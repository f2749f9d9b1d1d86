// Continuously refilling buckets (OpenAI's semantics: a limit of L per window refills at L/window, so after one
// request out of 5,000 RPM the requests reset in 12ms). Pure integer arithmetic shared by every limiter backend.
//
// A bucket's state is its `level`: how much of the window is used, in unit·ms. Using one unit (a request, a
// token) adds `windowMs`; the level drains by `limit` per ms; the bucket is full at `limit × windowMs`. With
// integer times and limits every value here is an integer below 2^53, so doubles (JS, Redis Lua) are exact.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** The level after `elapsedMs` of draining at `limit` per ms (limit 0: an unlimited dimension keeps no level). */
export function drained(level: number, limit: number, elapsedMs: number): number {
  if (limit <= 0) return 0;
  if (elapsedMs <= 0) return level;
  const drop = elapsedMs * limit;
  return drop >= level ? 0 : level - drop;
}

/** Whether `cost` more units fit now. */
export function fits(level: number, limit: number, windowMs: number, cost: number): boolean {
  return level + cost * windowMs <= limit * windowMs;
}

/** Ms until `cost` units fit (0 if they fit now), or null when they never can (`cost` exceeds the limit). */
export function retryAfterMs(level: number, limit: number, windowMs: number, cost: number): number | null {
  if (cost > limit) return null;
  const excess = level + cost * windowMs - limit * windowMs;
  return excess <= 0 ? 0 : Math.ceil(excess / limit);
}

/** Whole units that still fit now. */
export function remaining(level: number, limit: number, windowMs: number): number {
  const free = limit * windowMs - level;
  return free <= 0 ? 0 : Math.floor(free / windowMs);
}

/** Ms until the bucket has drained back to its initial (empty) state: OpenAI's `x-ratelimit-reset-*`. */
export function resetMs(level: number, limit: number): number {
  return level <= 0 ? 0 : Math.ceil(level / limit);
}

/** Units used in the window, as a refusal message reports them. */
export function used(level: number, windowMs: number): number {
  return Math.ceil(level / windowMs);
}
