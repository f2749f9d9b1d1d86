// Sign-in rate limiting, in process: failed attempts per email and per client IP in a sliding window. A replica
// counts its own attempts only (documented); a success clears the email's count.
export interface ThrottleLimits {
  perEmail: number;
  perIp: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perEmail: 5, perIp: 20, windowMs: 15 * 60_000 };
const MAX_TRACKED = 50_000;

export class SignInThrottle {
  private failures = new Map<string, number[]>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_THROTTLE) {}

  /** Seconds to wait before another attempt is allowed, or 0 when one is allowed now. */
  retryAfter(email: string, ip: string, now: number): number {
    const wait = (key: string, max: number) => {
      const times = this.recent(key, now);
      return times.length < max ? 0 : Math.ceil((times[0]! + this.limits.windowMs - now) / 1000);
    };
    return Math.max(wait(`e:${email}`, this.limits.perEmail), wait(`i:${ip}`, this.limits.perIp));
  }

  fail(email: string, ip: string, now: number): void {
    if (this.failures.size > MAX_TRACKED) this.failures = new Map();
    for (const key of [`e:${email}`, `i:${ip}`]) this.failures.set(key, [...this.recent(key, now), now]);
  }

  succeed(email: string): void {
    this.failures.delete(`e:${email}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
  }
}
