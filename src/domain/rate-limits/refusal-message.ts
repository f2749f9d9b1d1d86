// The message of OpenAI's rate_limit_exceeded 429, e.g. "Rate limit reached for gpt-4o in organization acct_x on
// requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."
import { formatDuration } from './duration.js';
import type { Dimension, Refusal } from './evaluate.js';

const LIMIT_NAMES: Readonly<Record<Dimension, string>> = {
  rpm: 'requests per min (RPM)',
  tpm: 'tokens per min (TPM)',
  rpd: 'requests per day (RPD)',
};

/** OpenAI's error `type` for a refusal: `requests` for RPM and RPD, `tokens` for TPM. */
export function refusalType(refusal: Refusal): 'requests' | 'tokens' {
  return refusal.dimension === 'tpm' ? 'tokens' : 'requests';
}

/** `model` is the limit's family (EffectiveLimits.group), as OpenAI names the shared limit. */
export function refusalMessage(refusal: Refusal, scope: { accountId: string; projectId: string; model: string }): string {
  const where = refusal.level === 'project'
    ? `in project ${scope.projectId} of organization ${scope.accountId}`
    : `in organization ${scope.accountId}`;
  const on = `on ${LIMIT_NAMES[refusal.dimension]}`;
  if (refusal.retryAfterMs === null) {
    return `Request too large for ${scope.model} ${where} ${on}: Limit ${refusal.limit}, Requested ${refusal.requested}. `
      + 'The input or output tokens must be reduced in order to run successfully.';
  }
  return `Rate limit reached for ${scope.model} ${where} ${on}: Limit ${refusal.limit}, Used ${refusal.used}, `
    + `Requested ${refusal.requested}. Please try again in ${formatDuration(refusal.retryAfterMs)}.`;
}
