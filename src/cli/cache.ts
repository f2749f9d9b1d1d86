// tollgate cache set | list: the response cache per account, project or key (the most specific setting wins).
import { cacheSettingsStoreFor } from '../services/cache/response-cache.js';
import { cacheSettingView, setCacheSetting } from '../services/cache/cache-settings-service.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

const USAGE = 'usage: tollgate cache set --account ID [--project ID | --key ID] (--ttl SECONDS | --off) [--json] | cache list --account ID [--json]';

export async function cacheCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  const settings = cacheSettingsStoreFor(store);
  if (sub === 'set') {
    const v = parse(rest, {
      account: { type: 'string' }, project: { type: 'string' }, key: { type: 'string' }, ttl: { type: 'string' },
      off: { type: 'boolean' }, json: { type: 'boolean' },
    });
    const ttl = optional(v, 'ttl');
    if (v.off === true && ttl !== undefined) throw new CliError('give --ttl or --off, not both');
    if (v.off !== true && ttl === undefined) throw new CliError(`give --ttl SECONDS or --off\n${USAGE}`);
    const ttlSeconds = ttl === undefined ? undefined : Number(ttl);
    const setting = await setCacheSetting(store, settings, {
      accountId: required(v, 'account'), projectId: optional(v, 'project'), keyId: optional(v, 'key'),
      enabled: v.off !== true, ttlSeconds,
    }, Date.now());
    if (v.json) printJson(cacheSettingView(setting));
    else process.stdout.write(`cache ${setting.enabled ? `on, TTL ${setting.ttlSeconds} s` : 'off'} for ${setting.scope} ${setting.scopeId}\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { account: { type: 'string' }, json: { type: 'boolean' } });
    const rows = (await settings.list(required(v, 'account'))).map(cacheSettingView);
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.scope} ${r.scope_id}\t${r.enabled ? `on, TTL ${r.ttl_seconds} s` : 'off'}\n`);
    return;
  }
  throw new CliError(USAGE);
}
