// grant_expiring: one firing per grant that still has credit and expires within the rule's window.
import type { GrantFact } from './facts.js';
import type { Firing } from './firing.js';
import type { GrantExpiringParams } from './rule.js';

export const DAY_MS = 86_400_000;

export function evaluateGrantExpiring(
  rule: { id: string; accountId: string; params: GrantExpiringParams },
  grants: readonly GrantFact[],
  now: number,
): Firing[] {
  const horizon = now + rule.params.withinDays * DAY_MS;
  const firings: Firing[] = [];
  for (const grant of grants) {
    if (grant.remaining <= 0n || grant.expiresAt === null) continue;
    if (grant.voidedAt != null || grant.expiredAt != null) continue;
    if (grant.expiresAt <= now || grant.expiresAt > horizon) continue;
    firings.push({
      ruleId: rule.id,
      accountId: rule.accountId,
      // The window is in the key, so a 30-day and a 3-day reminder to one destination are both sent.
      dedupeKey: `grant_expiring:${grant.id}:${rule.params.withinDays}d`,
      occurredAt: now,
      data: {
        kind: 'grant_expiring', grantId: grant.id, remaining: grant.remaining, expiresAt: grant.expiresAt,
        withinDays: rule.params.withinDays,
      },
    });
  }
  return firings;
}
