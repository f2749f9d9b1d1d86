// tollgate members add --account ID --email E --role owner|member|reader [--password-stdin] [--json]; members list --account ID;
// members invite --email E [--account ID --role ROLE] [--json] (without --account: an invitation to create a new account)
import { isRole } from '../services/dashboard/member-store.js';
import { memberStoreFor } from '../services/dashboard/open-member-store.js';
import { issueInvite, normalizeEmail } from '../services/dashboard/sign-up.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../services/dashboard/passwords.js';
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function membersCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  const members = memberStoreFor(store);
  if (sub === 'add') {
    const v = parse(rest, {
      account: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' },
    });
    const accountId = required(v, 'account');
    const role = required(v, 'role');
    if (!isRole(role)) throw new CliError('--role must be owner, member or reader');
    if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
    const generated = v['password-stdin'] !== true;
    const password = generated ? randomBytes(12).toString('base64url') : await readStdin();
    if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    const email = normalizeEmail(required(v, 'email'));
    const member = await members.createMember({ accountId, email, role, passwordHash: await hashPassword(password) }, Date.now());
    if (!member) throw new CliError(`${email} is already a member`);
    const out = { id: member.id, account_id: accountId, email, role, ...(generated ? { password } : {}) };
    if (v.json) printJson(out);
    else process.stdout.write(`${member.id}\t${email}\t${role}${generated ? `\npassword: ${password}\n(shown only once)` : ''}\n`);
    return;
  }
  if (sub === 'invite') {
    const v = parse(rest, { account: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, json: { type: 'boolean' } });
    const accountId = optional(v, 'account') ?? null;
    const role = optional(v, 'role') ?? (accountId ? 'member' : 'owner');
    if (!isRole(role)) throw new CliError('--role must be owner, member or reader');
    if (!accountId && role !== 'owner') throw new CliError('an invitation to a new account makes its owner: give --account to invite a member');
    if (accountId && !(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
    const { token, expiresAt } = await issueInvite(members, { accountId, email: required(v, 'email'), role }, Date.now());
    const out = { token, link: `/dashboard/#/join/${token}`, account_id: accountId, role, expires_at: new Date(expiresAt).toISOString() };
    if (v.json) printJson(out);
    else process.stdout.write(`${out.link}\n(append it to the gateway's URL; shown only once, valid 7 days)\n`);
    return;
  }
  if (sub === 'list') {
    const v = parse(rest, { account: { type: 'string' }, json: { type: 'boolean' } });
    const rows = (await members.listMembers(required(v, 'account'))).map((m) => ({ id: m.id, email: m.email, role: m.role }));
    if (v.json) printJson(rows);
    else for (const r of rows) process.stdout.write(`${r.id}\t${r.email}\t${r.role}\n`);
    return;
  }
  throw new CliError('usage: tollgate members add --account ID --email E --role owner|member|reader [--password-stdin] [--json] | members list --account ID | members invite --email E [--account ID --role ROLE] [--json]');
}
