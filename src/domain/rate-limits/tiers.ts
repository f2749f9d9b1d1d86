// Usage tiers: which tier an account has earned from its purchases, and the per-model limits a tier grants.
// Pure functions over a TierLadder (the built-in one in default-ladder.ts, or the operator's TOLLGATE_TIERS_FILE).
import type { Pico } from '../money/pico.js';
import { DAY_MS } from './bucket.js';

/** Limits for one model family; `null` means no limit on that dimension. */
export interface ModelLimits {
  readonly rpm: number | null;
  readonly tpm: number | null;
  readonly rpd: number | null;
}

export interface TierLimits {
  /** For a model that matches no family key. */
  readonly default: ModelLimits;
  /**
   * Per model family. A key matches the model id itself and any id that continues it with `-`
   * (`gpt-4o` matches `gpt-4o-2024-08-06`); the longest matching key wins (`gpt-4o-mini` beats `gpt-4o`).
   */
  readonly models: Readonly<Record<string, ModelLimits>>;
}

export interface TierDefinition {
  readonly name: string;
  /** Promotion needs at least this much purchased (cumulative grants with source `purchase`)… */
  readonly minPurchased: Pico;
  /** …and at least this many whole days since the first purchase (0: no waiting). */
  readonly minDaysSinceFirstPurchase: number;
  readonly limits: TierLimits;
}

/** Ordered from the entry tier (thresholds 0 / 0, everyone has it) upwards; see ladder-file.ts for validation. */
export interface TierLadder {
  readonly tiers: readonly TierDefinition[];
}

export interface PurchaseHistory {
  /** Σ amount of the account's grants whose source is `purchase` (voided ones excluded by the caller). */
  readonly totalPurchased: Pico;
  /** Epoch ms of the first purchase; null when the account never bought credits. */
  readonly firstPurchaseAt: number | null;
}

/** Per-project caps keyed by model family (a key of TierLimits.models, or the model id) or `"*"` for every model. */
export type ProjectLimitOverrides = Readonly<Record<string, Partial<ModelLimits>>>;

/** What one request is limited by. `account` and `project` are what RateLimiter.check takes. */
export interface EffectiveLimits {
  readonly tier: string;
  /** The family the request counts against (its counters are shared by every snapshot of the family). */
  readonly group: string;
  readonly account: ModelLimits;
  /** The project's own caps (each at most the account's), or null when the project has no override. */
  readonly project: ModelLimits | null;
}

/**
 * The highest tier the purchases qualify for, or `manualTier` when the operator set a higher one: a tier set
 * explicitly is a floor, never lowered by the ladder. A `manualTier` the ladder does not know is ignored
 * (validate it with `isTier` when it is set).
 * @example tierFor({ totalPurchased: 60n * PICO_PER_CREDIT, firstPurchaseAt: now - 8 * DAY_MS }, now, DEFAULT_LADDER) // 'tier-2'
 */
export function tierFor(purchases: PurchaseHistory, now: number, ladder: TierLadder, manualTier?: string | null): string {
  const tiers = ladder.tiers;
  let earned = 0;
  for (let i = tiers.length - 1; i > 0; i--) {
    if (qualifies(tiers[i]!, purchases, now)) {
      earned = i;
      break;
    }
  }
  if (manualTier !== undefined && manualTier !== null) {
    const manual = tiers.findIndex((t) => t.name === manualTier);
    if (manual > earned) return manualTier;
  }
  const tier = tiers[earned];
  if (!tier) throw new RangeError('a tier ladder needs at least one tier');
  return tier.name;
}

function qualifies(tier: TierDefinition, purchases: PurchaseHistory, now: number): boolean {
  if (purchases.totalPurchased < tier.minPurchased) return false;
  if (tier.minDaysSinceFirstPurchase === 0) return true;
  if (purchases.firstPurchaseAt === null) return false;
  return now - purchases.firstPurchaseAt >= tier.minDaysSinceFirstPurchase * DAY_MS;
}

export function isTier(ladder: TierLadder, name: string): boolean {
  return ladder.tiers.some((t) => t.name === name);
}

/**
 * The limits for `model` in `tier`, with the project's overrides (if any) as a second, tighter level.
 * Throws a RangeError for a tier the ladder does not have.
 */
export function limitsFor(tier: string, model: string, ladder: TierLadder, overrides?: ProjectLimitOverrides | null): EffectiveLimits {
  const definition = ladder.tiers.find((t) => t.name === tier);
  if (!definition) throw new RangeError(`unknown usage tier ${JSON.stringify(tier)}`);
  const group = familyOf(model, definition.limits);
  const account = group === null ? definition.limits.default : definition.limits.models[group]!;
  const name = group ?? model;
  const override = overrides ? (overrides[name] ?? overrides['*']) : undefined;
  return { tier, group: name, account, project: override ? capped(override, account) : null };
}

function capped(override: Partial<ModelLimits>, account: ModelLimits): ModelLimits | null {
  const rpm = tighter(override.rpm, account.rpm);
  const tpm = tighter(override.tpm, account.tpm);
  const rpd = tighter(override.rpd, account.rpd);
  return rpm === null && tpm === null && rpd === null ? null : { rpm, tpm, rpd };
}

/** The project's cap on one dimension: its override, never above the account's limit; null when it sets none. */
function tighter(override: number | null | undefined, account: number | null): number | null {
  if (override === undefined || override === null) return null;
  return account === null ? override : Math.min(override, account);
}

const sortedKeys = new WeakMap<TierLimits, readonly string[]>();

/** The longest family key matching `model`, or null. */
export function familyOf(model: string, limits: TierLimits): string | null {
  let keys = sortedKeys.get(limits);
  if (!keys) {
    keys = Object.keys(limits.models).sort((a, b) => b.length - a.length);
    sortedKeys.set(limits, keys);
  }
  for (const key of keys) {
    if (model === key || (model.length > key.length && model.charCodeAt(key.length) === 45 /* - */ && model.startsWith(key))) {
      return key;
    }
  }
  return null;
}
