// The operator's bearer token for /admin/v1/*. With TOLLGATE_ADMIN_TOKEN unset the admin API does not exist (404).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../../services/key-auth.js';
import { ApiError, MissingApiKeyError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function requireAdmin(headers: IncomingHttpHeaders, adminToken: string | undefined): void {
  if (!adminToken) throw new ApiError(404, 'The admin API is off: set TOLLGATE_ADMIN_TOKEN to enable it.');
  const given = bearerToken(headers);
  if (!given) throw new MissingApiKeyError();
  // Compare digests so the comparison takes the same time whatever the token's length or content.
  if (!timingSafeEqual(digest(given), digest(adminToken))) {
    throw new ApiError(401, 'Incorrect admin token.', { code: 'invalid_api_key' });
  }
}
