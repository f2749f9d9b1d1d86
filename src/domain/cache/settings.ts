// Cache settings per scope (account, project, key) and which one governs a request: the most specific that exists.

export type CacheScope = 'account' | 'project' | 'key';

export interface CacheSetting {
  accountId: string;
  scope: CacheScope;
  /** The account id for scope `account`, else the project or key id. */
  scopeId: string;
  enabled: boolean;
  ttlSeconds: number;
  updatedAt: number;
}

/** The largest TTL accepted: 30 days. */
export const MAX_TTL_SECONDS = 30 * 86_400;

/** The setting that governs a request from `keyId` in `projectId`: key, else project, else account; else none (off). */
export function governingSetting(
  settings: readonly CacheSetting[] | undefined, projectId: string | null, keyId: string | null,
): CacheSetting | undefined {
  if (!settings || settings.length === 0) return undefined;
  let project: CacheSetting | undefined;
  let account: CacheSetting | undefined;
  for (const s of settings) {
    if (s.scope === 'key' && s.scopeId === keyId) return s;
    if (s.scope === 'project' && s.scopeId === projectId) project = s;
    else if (s.scope === 'account') account = s;
  }
  return project ?? account;
}
