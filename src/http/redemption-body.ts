// Reads a batch request from a JSON body (admin API) as the domain's BatchRequest, failing as clear 400s.
import type { BatchRequest } from '../domain/redemption/batch.js';
import { InvalidRequestError } from './errors.js';
import { credits, int, str, time } from './json-body.js';

export function batchRequestOf(body: Record<string, unknown>): BatchRequest {
  const amount = credits(body, 'amount', { required: true })!;
  const count = int(body, 'count', { min: 1, required: true })!;
  const note = str(body, 'note') ?? null;
  return {
    amount, count, expiresAt: time(body, 'expires_at') ?? null,
    perAccountLimit: int(body, 'per_account_limit', { min: 1 }) ?? null,
    grantExpiresDays: int(body, 'grant_expires_days', { min: 1 }) ?? null, note,
  };
}

export function codeOf(body: Record<string, unknown>): string {
  const code = str(body, 'code', { required: true })!;
  if (code.length > 100) throw new InvalidRequestError("Invalid 'code': too long.", 'code', 'invalid_code');
  return code;
}
