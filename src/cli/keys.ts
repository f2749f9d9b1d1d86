// tollgate keys create --account ID [--project ID] [--name NAME] [--admin] [--json]; keys revoke --key ID; keys list --account ID
import { issueKey } from '../services/api-keys.js';
import type { Store } from '../store/store.js';
import { keyView } from '../views/views.js';
import { CliError, optional, parse, printJson, required } from './args.js';

export async function keysCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const v = parse(rest, {
      account: { type: 'string' }, project: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' }, json: { type: 'boolean' },
    });
    const { record, secret } = await issueKey(store, {
      accountId: required(v, 'account'), projectId: optional(v, 'project'), admin: v.admin === true, name: optional(v, 'name'),
    }, Date.now());
    if (v.json) printJson({ id: record.id, key: secret, kind: record.kind, account_id: record.accountId, project_id: record.projectId, name: record.name });
    else process.stdout.write(`${record.id}\n${secret}\n(the key is shown only once)\n`);
    return;
  }
  if (sub === 'revoke') {
    const v = parse(rest, { key: { type: 'string' }, json: { type: 'boolean' } });
    const id = required(v, 'key');
    const revoked = await store.revokeKey(id, Date.now());
    if (!revoked) throw new CliError(`no active key ${id}`);
    if (v.json) printJson({ id, revoked: true });
    else process.stdout.write(`revoked ${id}\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { account: { type: 'string' }, json: { type: 'boolean' } });
    const rows = (await store.listKeys(required(v, 'account'))).map(keyView);
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.id}\t${r.kind}\t${r.redacted_value}\t${r.revoked_at ? 'revoked' : 'active'}\t${r.name}\n`);
    return;
  }
  throw new CliError('usage: tollgate keys create --account ID [--project ID] [--name NAME] [--admin] [--json] | keys revoke --key ID | keys list --account ID');
}
