// The built-in usage-tier ladder, after OpenAI's published one: promotion thresholds as OpenAI states them
// (tier 1: $5 paid; 2: $50 and 7 days since the first payment; 3: $100 / 7 days; 4: $250 / 14 days;
// 5: $1,000 / 30 days) and per-model RPM / TPM / RPD as OpenAI listed them for 2024-2025 models.
// OpenAI revises its numbers; an operator replaces this whole ladder with TOLLGATE_TIERS_FILE.
import { PICO_PER_CREDIT } from '../money/pico.js';
import type { ModelLimits, TierDefinition, TierLadder } from './tiers.js';

export const DEFAULT_TIER_NAMES = ['free', 'tier-1', 'tier-2', 'tier-3', 'tier-4', 'tier-5'] as const;

type Row = readonly [rpm: number, tpm: number, rpd: number | null];
/** One row per tier, free → tier-5. */
type Ladder = readonly [Row, Row, Row, Row, Row, Row];

const FREE: Row = [3, 40_000, 200];

// Families share one set of counters (a dated snapshot counts against its family).
const FAMILIES: Readonly<Record<string, Ladder>> = {
  'gpt-4o': [FREE, [500, 30_000, null], [5_000, 450_000, null], [5_000, 800_000, null], [10_000, 2_000_000, null], [10_000, 30_000_000, null]],
  'gpt-4o-mini': [FREE, [500, 200_000, 10_000], [5_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 150_000_000, null]],
  'gpt-4.1': [FREE, [500, 30_000, null], [5_000, 450_000, null], [5_000, 800_000, null], [10_000, 2_000_000, null], [10_000, 30_000_000, null]],
  'gpt-4.1-mini': [FREE, [500, 200_000, null], [5_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 150_000_000, null]],
  'gpt-4.1-nano': [FREE, [500, 200_000, null], [5_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 150_000_000, null]],
  'gpt-5': [FREE, [500, 500_000, null], [5_000, 1_000_000, null], [5_000, 2_000_000, null], [10_000, 4_000_000, null], [15_000, 40_000_000, null]],
  'gpt-5-mini': [FREE, [500, 500_000, null], [5_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 180_000_000, null]],
  'gpt-5-nano': [FREE, [500, 200_000, null], [5_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 180_000_000, null]],
  o3: [FREE, [500, 30_000, null], [5_000, 450_000, null], [5_000, 800_000, null], [10_000, 2_000_000, null], [10_000, 30_000_000, null]],
  'o3-mini': [FREE, [1_000, 100_000, null], [2_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 150_000_000, null]],
  'o4-mini': [FREE, [1_000, 100_000, null], [2_000, 2_000_000, null], [5_000, 4_000_000, null], [10_000, 10_000_000, null], [30_000, 150_000_000, null]],
  'gpt-3.5-turbo': [FREE, [3_500, 200_000, 10_000], [3_500, 2_000_000, null], [3_500, 4_000_000, null], [10_000, 10_000_000, null], [10_000, 50_000_000, null]],
  'text-embedding-3-small': [[3, 150_000, 200], [3_000, 1_000_000, null], [5_000, 1_000_000, null], [5_000, 5_000_000, null], [10_000, 5_000_000, null], [10_000, 10_000_000, null]],
  'text-embedding-3-large': [[3, 150_000, 200], [3_000, 1_000_000, null], [5_000, 1_000_000, null], [5_000, 5_000_000, null], [10_000, 5_000_000, null], [10_000, 10_000_000, null]],
  'text-embedding-ada-002': [[3, 150_000, 200], [3_000, 1_000_000, null], [5_000, 1_000_000, null], [5_000, 5_000_000, null], [10_000, 5_000_000, null], [10_000, 10_000_000, null]],
};

/** A model in no family gets the limits of OpenAI's flagship rows (gpt-4o's), the conservative choice. */
const DEFAULT_ROWS: Ladder = FAMILIES['gpt-4o']!;

const THRESHOLDS: readonly (readonly [credits: bigint, days: number])[] = [
  [0n, 0], [5n, 0], [50n, 7], [100n, 7], [250n, 14], [1_000n, 30],
];

function limits(row: Row): ModelLimits {
  return { rpm: row[0], tpm: row[1], rpd: row[2] };
}

/** The free tier never gets more than tier 1 (OpenAI's free row is 40,000 TPM, above gpt-4o's tier-1 30,000). */
function rowOf(rows: Ladder, index: number): Row {
  const row = rows[index]!;
  if (index !== 0) return row;
  const next = rows[1];
  return [Math.min(row[0], next[0]), Math.min(row[1], next[1]), row[2]];
}

function tier(index: number): TierDefinition {
  const [credits, days] = THRESHOLDS[index]!;
  const models: Record<string, ModelLimits> = {};
  for (const [family, rows] of Object.entries(FAMILIES)) models[family] = limits(rowOf(rows, index));
  return {
    name: DEFAULT_TIER_NAMES[index]!,
    minPurchased: credits * PICO_PER_CREDIT,
    minDaysSinceFirstPurchase: days,
    limits: { default: limits(rowOf(DEFAULT_ROWS, index)), models },
  };
}

export const DEFAULT_LADDER: TierLadder = { tiers: DEFAULT_TIER_NAMES.map((_, i) => tier(i)) };
