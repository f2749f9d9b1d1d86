// Setting the cache for a scope (the CLI and the admin API share it): checks the scope belongs to the account and
// the TTL is sane, then stores the setting. Wire view: snake_case, TTL in seconds.
import { MAX_TTL_SECONDS, type CacheScope, type CacheSetting } from '../../domain/cache/settings.js';
import { InvalidRequestError, NotFoundError } from '../../http/errors.js';
import type { Store } from '../../store/store.js';
import type { CacheSettingsStore } from './cache-settings-store.js';

export interface CacheSettingInput {
  accountId: string;
  projectId?: string | undefined;
  keyId?: string | undefined;
  /** Required unless `enabled` is false. */
  ttlSeconds?: number | undefined;
  enabled: boolean;
}

export async function setCacheSetting(store: Store, settings: CacheSettingsStore, input: CacheSettingInput, now: number): Promise<CacheSetting> {
  if (!(await store.getAccount(input.accountId))) throw new NotFoundError(`No account ${input.accountId}.`);
  if (input.projectId && input.keyId) throw new InvalidRequestError('Give a project or a key, not both.', 'project_id');
  let scope: CacheScope = 'account';
  let scopeId = input.accountId;
  if (input.projectId) {
    const project = await store.getProject(input.projectId);
    if (!project || project.accountId !== input.accountId) throw new NotFoundError(`No project ${input.projectId} in account ${input.accountId}.`);
    scope = 'project';
    scopeId = project.id;
  } else if (input.keyId) {
    const keys = await store.listKeys(input.accountId);
    if (!keys.some((k) => k.id === input.keyId && k.kind === 'project')) throw new NotFoundError(`No API key ${input.keyId} in account ${input.accountId}.`);
    scope = 'key';
    scopeId = input.keyId;
  }
  const ttl = input.ttlSeconds;
  if (input.enabled && (ttl === undefined || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS)) {
    throw new InvalidRequestError(`The TTL must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}.`, 'ttl_seconds');
  }
  const setting: CacheSetting = { accountId: input.accountId, scope, scopeId, enabled: input.enabled, ttlSeconds: input.enabled ? ttl! : 0, updatedAt: now };
  await settings.put(setting);
  return setting;
}

export function cacheSettingView(s: CacheSetting) {
  return {
    account_id: s.accountId, scope: s.scope, scope_id: s.scopeId, enabled: s.enabled, ttl_seconds: s.ttlSeconds,
    updated_at: new Date(s.updatedAt).toISOString(),
  };
}
