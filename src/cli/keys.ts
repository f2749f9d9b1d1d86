// tollgate keys create --account ID [--project ID] [--name NAME] [--admin] [--json]; keys revoke --key ID; keys list --account ID
import { generateApiKey, hashApiKey, redactApiKey } from '../domain/ids/api-key.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';
import { keyView } from '../views/views.js';

export async function keysCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const v = parse(rest, {
      account: { type: 'string' }, project: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean' }, json: { type: 'boolean' },
    });
    const accountId = required(v, 'account');
    if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
    let projectId: string | null = null;
    if (!v.admin) {
      const wanted = optional(v, 'project');
      if (wanted) {
        const project = await store.getProject(wanted);
        if (!project || project.accountId !== accountId) throw new CliError(`no project ${wanted} in account ${accountId}`);
        projectId = project.id;
      } else {
        const first = (await store.listProjects(accountId))[0];
        if (!first) throw new CliError(`account ${accountId} has no project; pass --project`);
        projectId = first.id;
      }
    } else if (optional(v, 'project')) {
      throw new CliError('an admin key belongs to the account, not a project: drop --project');
    }
    const secret = generateApiKey();
    const key = await store.createKey({
      accountId, projectId, kind: v.admin ? 'admin' : 'project', name: optional(v, 'name') ?? (v.admin ? 'admin key' : 'default'),
      secretHash: hashApiKey(secret), redacted: redactApiKey(secret),
    }, Date.now());
    if (v.json) printJson({ id: key.id, key: secret, kind: key.kind, account_id: key.accountId, project_id: key.projectId, name: key.name });
    else process.stdout.write(`${key.id}\n${secret}\n(the key is shown only once)\n`);
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
    const keys = await store.listKeys(required(v, 'account'));
    const rows = keys.map(keyView);
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.id}\t${r.kind}\t${r.redacted_value}\t${r.revoked_at ? 'revoked' : 'active'}\t${r.name}\n`);
    return;
  }
  throw new CliError('usage: tollgate keys create --account ID [--project ID] [--name NAME] [--admin] [--json] | keys revoke --key ID | keys list --account ID');
}
