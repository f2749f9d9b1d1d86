// The tier-ladder file (TOLLGATE_TIERS_FILE): its schema, validation into a TierLadder, and the reverse, so the
// built-in ladder can be written out as a starting point. The format is documented in this folder's README.
import { z } from 'zod';
import { formatCredits, MoneyFormatError, parseCredits } from '../money/pico.js';
import { DEFAULT_LADDER } from './default-ladder.js';
import type { ModelLimits, TierDefinition, TierLadder, TierLimits } from './tiers.js';

/**
 * Upper bounds keep every bucket's arithmetic exact in a double (limit × window ms < 2^53), in-process and in
 * Redis's Lua alike.
 */
export const MAX_PER_MINUTE_LIMIT = 10_000_000_000;
export const MAX_PER_DAY_LIMIT = 100_000_000;

const perMinute = z.number().int().min(1).max(MAX_PER_MINUTE_LIMIT).nullable();
const modelLimits = z.object({
  rpm: perMinute,
  tpm: perMinute,
  rpd: z.number().int().min(1).max(MAX_PER_DAY_LIMIT).nullable(),
}).strict();

const tierLimits = z.object({
  default: modelLimits,
  models: z.record(z.string().min(1), modelLimits).default({}),
}).strict();

const tierSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-"'),
  /** Credits as an exact decimal string, e.g. "50". */
  minPurchased: z.string(),
  minDaysSinceFirstPurchase: z.number().int().min(0).max(36_500),
  /** Absent: the built-in tier of the same name keeps its limits (only the thresholds change). */
  limits: tierLimits.optional(),
}).strict();

const ladderSchema = z.object({ tiers: z.array(tierSchema).min(1) }).strict();

export type TierLadderDocument = z.input<typeof ladderSchema>;

export class TierLadderError extends Error {
  override readonly name = 'TierLadderError';
}

/** Validates a parsed tier-ladder file; throws TierLadderError naming every problem. */
export function parseLadder(document: unknown): TierLadder {
  const parsed = ladderSchema.safeParse(document);
  if (!parsed.success) {
    throw new TierLadderError(parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; '));
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const tiers: TierDefinition[] = [];
  parsed.data.tiers.forEach((row, i) => {
    const where = `tiers.${i} (${row.name})`;
    if (seen.has(row.name)) problems.push(`${where}: duplicate tier name`);
    seen.add(row.name);
    let minPurchased = 0n;
    try {
      minPurchased = parseCredits(row.minPurchased);
    } catch (err) {
      if (!(err instanceof MoneyFormatError)) throw err;
      problems.push(`${where}.minPurchased: ${err.message}`);
    }
    const limits: TierLimits | undefined = row.limits ?? DEFAULT_LADDER.tiers.find((t) => t.name === row.name)?.limits;
    if (!limits) problems.push(`${where}.limits: required (there is no built-in tier of that name to take them from)`);
    const previous = tiers[i - 1];
    if (i === 0 && (minPurchased !== 0n || row.minDaysSinceFirstPurchase !== 0)) {
      problems.push(`${where}: the first tier is the entry tier, its thresholds must be "0" and 0 days`);
    }
    if (previous && (minPurchased < previous.minPurchased || row.minDaysSinceFirstPurchase < previous.minDaysSinceFirstPurchase)) {
      problems.push(`${where}: thresholds must not be lower than the tier before it`);
    }
    tiers.push({ name: row.name, minPurchased, minDaysSinceFirstPurchase: row.minDaysSinceFirstPurchase, limits: limits ?? EMPTY });
  });
  if (problems.length > 0) throw new TierLadderError(problems.join('; '));
  return { tiers };
}

const EMPTY: TierLimits = { default: { rpm: null, tpm: null, rpd: null }, models: {} };

/** The file form of a ladder (amounts as exact credit strings); parseLadder(ladderToDocument(x)) equals x. */
export function ladderToDocument(ladder: TierLadder): TierLadderDocument {
  return {
    tiers: ladder.tiers.map((t) => ({
      name: t.name,
      minPurchased: formatCredits(t.minPurchased),
      minDaysSinceFirstPurchase: t.minDaysSinceFirstPurchase,
      limits: { default: plain(t.limits.default), models: Object.fromEntries(Object.entries(t.limits.models).map(([k, v]) => [k, plain(v)])) },
    })),
  };
}

function plain(l: ModelLimits): ModelLimits {
  return { rpm: l.rpm, tpm: l.tpm, rpd: l.rpd };
}
