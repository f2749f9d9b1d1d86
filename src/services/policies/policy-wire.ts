// Policies on the wire (admin API, CLI --json): snake_case JSON in and out, checked into PolicyRules, and the
// scope a policy is set on checked to belong to the account.
import { PolicyRuleError, validateRules, type Policy, type PolicyRules, type PolicyScope } from '../../domain/policies/policy.js';
import { InvalidRequestError, NotFoundError } from '../../http/errors.js';
import type { Store } from '../../store/store.js';
import type { PolicyTarget } from './policy-store.js';

/** Rules from a JSON body: every field optional (absent or null = no rule). 400 naming the field when one is wrong. */
export function rulesFromWire(body: Record<string, unknown>): PolicyRules {
  const int = (field: string): number | null => {
    const v = body[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw new InvalidRequestError(`Invalid '${field}': expected a positive integer.`, field, 'invalid_type');
    }
    return v;
  };
  const models = body.allowed_models;
  if (models !== undefined && models !== null && (!Array.isArray(models) || models.some((m) => typeof m !== 'string'))) {
    throw new InvalidRequestError("Invalid 'allowed_models': expected an array of model ids.", 'allowed_models', 'invalid_type');
  }
  const subs = body.substitutions;
  if (subs !== undefined && subs !== null
    && (typeof subs !== 'object' || Array.isArray(subs) || Object.values(subs).some((v) => typeof v !== 'string'))) {
    throw new InvalidRequestError("Invalid 'substitutions': expected an object mapping a model id to a model id.", 'substitutions', 'invalid_type');
  }
  const rules: PolicyRules = {
    allowedModels: (models as string[] | null | undefined) ?? null,
    maxOutputTokens: int('max_output_tokens'),
    defaultOutputTokens: int('default_output_tokens'),
    maxPromptTokens: int('max_prompt_tokens'),
    substitutions: { ...((subs as Record<string, string> | null | undefined) ?? {}) },
  };
  try {
    return validateRules(rules);
  } catch (err) {
    if (err instanceof PolicyRuleError) throw new InvalidRequestError(`Invalid policy: ${err.message}.`);
    throw err;
  }
}

export function policyView(p: Policy) {
  return {
    object: 'tollgate.policy',
    account_id: p.accountId,
    scope: p.scope,
    scope_id: p.scopeId,
    allowed_models: p.allowedModels,
    max_output_tokens: p.maxOutputTokens,
    default_output_tokens: p.defaultOutputTokens,
    max_prompt_tokens: p.maxPromptTokens,
    substitutions: p.substitutions,
    created_at: new Date(p.createdAt).toISOString(),
    updated_at: new Date(p.updatedAt).toISOString(),
  };
}

/** The account itself, one of its projects, or one of its keys; 404 when it is not the account's. */
export async function policyTarget(
  store: Store, accountId: string, opts: { projectId?: string | undefined; keyId?: string | undefined },
): Promise<PolicyTarget> {
  if (!(await store.getAccount(accountId))) throw new NotFoundError(`No account ${accountId}.`);
  if (opts.projectId && opts.keyId) throw new InvalidRequestError('A policy is set on a project or on a key, not both.', 'scope');
  if (opts.projectId) {
    if ((await store.getProject(opts.projectId))?.accountId !== accountId) throw new NotFoundError(`No project ${opts.projectId} in account ${accountId}.`);
    return { accountId, scope: 'project', scopeId: opts.projectId };
  }
  if (opts.keyId) {
    const key = (await store.listKeys(accountId)).find((k) => k.id === opts.keyId);
    if (!key) throw new NotFoundError(`No key ${opts.keyId} in account ${accountId}.`);
    if (key.kind !== 'project') throw new InvalidRequestError(`Key ${opts.keyId} is an admin key: policies apply to project keys.`, 'scope_id');
    return { accountId, scope: 'key', scopeId: opts.keyId };
  }
  return { accountId, scope: 'account', scopeId: accountId };
}

/** Scope and id from a JSON body: {"scope": "account" | "project" | "key", "scope_id": ...}. */
export function targetFromWire(body: Record<string, unknown>): { projectId?: string; keyId?: string } {
  const scope = (body.scope ?? 'account') as PolicyScope;
  if (scope === 'account') return {};
  const id = body.scope_id;
  if (typeof id !== 'string' || id === '') throw new InvalidRequestError("Missing required parameter: 'scope_id'.", 'scope_id', 'missing_required_parameter');
  if (scope === 'project') return { projectId: id };
  if (scope === 'key') return { keyId: id };
  throw new InvalidRequestError("Invalid 'scope': account, project or key.", 'scope');
}
