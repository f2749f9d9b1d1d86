// tollgate policies set | list | delete: request policies (allowed models, output and prompt caps, a default output
// length, model substitutions) on an account, one of its projects or one of its keys.
import { PolicyRuleError, validateRules, type PolicyRules } from '../domain/policies/policy.js';
import { policyStoreFor } from '../services/policies/policies.js';
import { policyTarget, policyView } from '../services/policies/policy-wire.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

const USAGE = 'usage: tollgate policies set --account ID [--project ID | --key ID] [--allow-models a,b] [--max-output N] ' +
  '[--default-output N] [--max-prompt N] [--substitute FROM=TO,...] [--json] | policies list --account ID [--json] | ' +
  'policies delete --account ID [--project ID | --key ID]';

export async function policiesCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'set') return set(rest, store);
  if (sub === 'list') return list(rest, store);
  if (sub === 'delete') return remove(rest, store);
  throw new CliError(USAGE);
}

const SCOPE_OPTIONS = { account: { type: 'string' }, project: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } } as const;

async function set(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, {
    ...SCOPE_OPTIONS, 'allow-models': { type: 'string' }, 'max-output': { type: 'string' }, 'default-output': { type: 'string' },
    'max-prompt': { type: 'string' }, substitute: { type: 'string' },
  });
  const target = await policyTarget(store, required(v, 'account'), { projectId: optional(v, 'project'), keyId: optional(v, 'key') });
  const models = optional(v, 'allow-models');
  let rules: PolicyRules = {
    allowedModels: models === undefined ? null : list_(models),
    maxOutputTokens: count(v, 'max-output'),
    defaultOutputTokens: count(v, 'default-output'),
    maxPromptTokens: count(v, 'max-prompt'),
    substitutions: substitutions(optional(v, 'substitute')),
  };
  try {
    rules = validateRules(rules);
  } catch (err) {
    if (err instanceof PolicyRuleError) throw new CliError(err.message);
    throw err;
  }
  const policy = await policyStoreFor(store).setPolicy(target, rules, Date.now());
  if (v.json) printJson(policyView(policy));
  else process.stdout.write(`policy on ${policy.scope} ${policy.scopeId}: ${describe(rules)}\n`);
}

async function list(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, json: { type: 'boolean' } });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const policies = await policyStoreFor(store).listPolicies(accountId);
  if (v.json) printJson(policies.map(policyView));
  else for (const p of policies) process.stdout.write(`${p.scope} ${p.scopeId}\t${describe(p)}\n`);
}

async function remove(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, SCOPE_OPTIONS);
  const target = await policyTarget(store, required(v, 'account'), { projectId: optional(v, 'project'), keyId: optional(v, 'key') });
  if (!(await policyStoreFor(store).deletePolicy(target.scope, target.scopeId))) {
    throw new CliError(`no policy on ${target.scope} ${target.scopeId}`);
  }
  if (v.json) printJson({ scope: target.scope, scope_id: target.scopeId, deleted: true });
  else process.stdout.write(`deleted the policy on ${target.scope} ${target.scopeId}\n`);
}

function list_(text: string): string[] {
  return text.split(',').map((m) => m.trim()).filter(Boolean);
}

function count(v: Record<string, string | boolean | undefined>, flag: string): number | null {
  const text = optional(v, flag);
  if (text === undefined) return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new CliError(`--${flag} must be a positive integer`);
  return n;
}

function substitutions(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const pair of list_(text)) {
    const [from, to, extra] = pair.split('=').map((s) => s.trim());
    if (!from || !to || extra !== undefined) throw new CliError(`--substitute takes FROM=TO pairs, got ${JSON.stringify(pair)}`);
    out[from] = to;
  }
  return out;
}

function describe(r: PolicyRules): string {
  const parts = [
    `models ${r.allowedModels?.join(',') ?? 'any'}`,
    `max output ${r.maxOutputTokens ?? '-'}`, `default output ${r.defaultOutputTokens ?? '-'}`, `max prompt ${r.maxPromptTokens ?? '-'}`,
  ];
  const subs = Object.entries(r.substitutions).map(([f, t]) => `${f}->${t}`);
  if (subs.length > 0) parts.push(`substitute ${subs.join(',')}`);
  return parts.join('; ');
}
