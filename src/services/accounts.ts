// Opening an account: the account, its default project, and the sign-up grant, which expires after N days.
import type { Config } from '../config/config.js';
import { parseCredits } from '../domain/money/pico.js';
import type { Account, GrantRecord, Project } from '../store/records.js';
import type { Store } from '../store/store.js';
import { isTier } from '../domain/rate-limits/tiers.js';
import { loadTierLadder } from './rate-limit/load-tier-ladder.js';
import { InvalidRequestError } from '../http/errors.js';

const DAY_MS = 86_400_000;

export async function openAccount(
  store: Store, config: Pick<Config, 'signupCredits' | 'signupExpiryDays'>, input: { name: string; tier?: string }, now: number,
): Promise<{ account: Account; project: Project; signupGrant: GrantRecord | undefined }> {
  if (input.tier !== undefined && !isTier(loadTierLadder(), input.tier)) {
    throw new InvalidRequestError(`Unknown usage tier ${JSON.stringify(input.tier)}: one of ${loadTierLadder().tiers.map((t) => t.name).join(', ')}.`, 'tier');
  }
  const amount = parseCredits(config.signupCredits);
  const { account, project } = await store.createAccount({ name: input.name, ...(input.tier ? { tier: input.tier } : {}), now });
  let signupGrant: GrantRecord | undefined;
  if (amount > 0n) {
    ({ grant: signupGrant } = await store.insertGrant({
      accountId: account.id, source: 'signup', amount,
      expiresAt: now + config.signupExpiryDays * DAY_MS,
      idempotencyKey: `signup:${account.id}`, note: 'sign-up grant',
    }, now));
  }
  return { account, project, signupGrant };
}
