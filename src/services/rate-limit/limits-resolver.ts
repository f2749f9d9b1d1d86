// Works out which limits a request is under: the account's tier (the operator's tier as a floor, promoted by
// purchases) and the project's overrides. Cached per account and project; dropped whenever the store changes, and
// re-read at least every minute so a promotion that depends only on time passing is seen.
import { limitsFor, isTier, tierFor, type EffectiveLimits, type ProjectLimitOverrides, type TierLadder } from '../../domain/rate-limits/tiers.js';
import type { KeyLookup, Store } from '../../store/store.js';

const TTL_MS = 60_000;

export class LimitsResolver {
  private tiers = new Map<string, { tier: string; at: number }>();
  private overrides = new Map<string, { overrides: ProjectLimitOverrides | null; at: number }>();

  constructor(private readonly store: Store, readonly ladder: TierLadder) {}

  invalidate(): void {
    this.tiers = new Map();
    this.overrides = new Map();
  }

  async resolve(who: KeyLookup, model: string, now: number): Promise<EffectiveLimits> {
    const tier = await this.tierOf(who.account.id, who.account.tier, now);
    const projectId = who.key.projectId;
    const overrides = projectId ? await this.overridesOf(projectId, now) : null;
    return limitsFor(tier, model, this.ladder, overrides);
  }

  async tierOf(accountId: string, manualTier: string, now: number): Promise<string> {
    const cached = this.tiers.get(accountId);
    if (cached && now - cached.at < TTL_MS) return cached.tier;
    const purchases = await this.store.purchaseHistory(accountId);
    const tier = tierFor(purchases, now, this.ladder, isTier(this.ladder, manualTier) ? manualTier : null);
    this.tiers.set(accountId, { tier, at: now });
    return tier;
  }

  private async overridesOf(projectId: string, now: number): Promise<ProjectLimitOverrides | null> {
    const cached = this.overrides.get(projectId);
    if (cached && now - cached.at < TTL_MS) return cached.overrides;
    const rows = await this.store.listRateLimitOverrides(projectId);
    const overrides = rows.length === 0 ? null
      : Object.fromEntries(rows.map((r) => [r.family, { rpm: r.rpm, tpm: r.tpm, rpd: r.rpd }])) as ProjectLimitOverrides;
    this.overrides.set(projectId, { overrides, at: now });
    return overrides;
  }
}
