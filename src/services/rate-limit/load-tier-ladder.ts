// Reads the operator's tier ladder (TOLLGATE_TIERS_FILE, JSON) at start-up, or the built-in one when it is unset.
import { readFileSync } from 'node:fs';
import { DEFAULT_LADDER } from '../../domain/rate-limits/default-ladder.js';
import { parseLadder, TierLadderError } from '../../domain/rate-limits/ladder-file.js';
import type { TierLadder } from '../../domain/rate-limits/tiers.js';

/** Throws TierLadderError (naming the file) when the file cannot be read, is not JSON, or is not a valid ladder. */
export function loadTierLadder(env: NodeJS.ProcessEnv = process.env): TierLadder {
  const file = env.TOLLGATE_TIERS_FILE;
  if (file === undefined || file === '') return DEFAULT_LADDER;
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TierLadderError(`cannot read tier file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseLadder(document);
  } catch (err) {
    if (err instanceof TierLadderError) throw new TierLadderError(`invalid tier file ${file}: ${err.message}`);
    throw err;
  }
}
