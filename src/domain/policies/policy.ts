// Request policies: what an account, a project or a key may ask for (models, output and prompt sizes) and which
// model serves a request. Pure: combining the scopes of one request into the policy that applies to it.

export type PolicyScope = 'account' | 'project' | 'key';

/** The rules one scope sets; null means "no rule here" (a wider scope's rule, or none, applies). */
export interface PolicyRules {
  /** Models that may be served; null = any model with a price. */
  allowedModels: string[] | null;
  /** Most output tokens per choice a request may ask for. */
  maxOutputTokens: number | null;
  /** Output tokens sent upstream (and held for) when the request sets no output cap. */
  defaultOutputTokens: number | null;
  /** Most prompt tokens (counted with the model's tokenizer) a request may send. */
  maxPromptTokens: number | null;
  /** Requested model -> model that serves it instead. */
  substitutions: Record<string, string>;
}

export interface Policy extends PolicyRules {
  accountId: string;
  scope: PolicyScope;
  /** The account, project or key id. */
  scopeId: string;
  createdAt: number;
  updatedAt: number;
}

/** The policy that applies to one request, every scope combined. */
export type EffectivePolicy = PolicyRules;

export const NO_POLICY: EffectivePolicy = {
  allowedModels: null, maxOutputTokens: null, defaultOutputTokens: null, maxPromptTokens: null, substitutions: {},
};

const SPECIFICITY: Record<PolicyScope, number> = { account: 0, project: 1, key: 2 };

/**
 * Combines the policies of a request's account, project and key: caps take the smallest value, allowed models the
 * intersection of the lists, substitutions and the default output the narrowest scope that sets them. The default
 * never exceeds the combined cap.
 * @example combinePolicies([{ scope: 'account', maxOutputTokens: 500, ... }, { scope: 'key', maxOutputTokens: 900, ... }]).maxOutputTokens // 500
 */
export function combinePolicies(policies: readonly Pick<Policy, keyof PolicyRules | 'scope'>[]): EffectivePolicy {
  if (policies.length === 0) return NO_POLICY;
  const ordered = [...policies].sort((a, b) => SPECIFICITY[a.scope] - SPECIFICITY[b.scope]);
  let allowed: string[] | null = null;
  let maxOutput: number | null = null;
  let defaultOutput: number | null = null;
  let maxPrompt: number | null = null;
  const substitutions: Record<string, string> = {};
  for (const p of ordered) {
    if (p.allowedModels !== null) {
      const list = p.allowedModels;
      allowed = allowed === null ? [...new Set(list)] : allowed.filter((m) => list.includes(m));
    }
    maxOutput = minOf(maxOutput, p.maxOutputTokens);
    maxPrompt = minOf(maxPrompt, p.maxPromptTokens);
    if (p.defaultOutputTokens !== null) defaultOutput = p.defaultOutputTokens;
    Object.assign(substitutions, p.substitutions);
  }
  if (defaultOutput !== null && maxOutput !== null) defaultOutput = Math.min(defaultOutput, maxOutput);
  return {
    allowedModels: allowed, maxOutputTokens: maxOutput, defaultOutputTokens: defaultOutput, maxPromptTokens: maxPrompt,
    substitutions,
  };
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** The model that serves a request for `model` (itself unless a substitution names it). */
export function servedModel(policy: EffectivePolicy, model: string): string {
  return Object.hasOwn(policy.substitutions, model) ? policy.substitutions[model]! : model;
}

/** True when the policy lets `model` be served. */
export function allowsModel(policy: EffectivePolicy, model: string): boolean {
  return policy.allowedModels === null || policy.allowedModels.includes(model);
}

/** True when a request for `model` would be served (itself or its substitute is allowed): /v1/models lists only these. */
export function canRequest(policy: EffectivePolicy, model: string): boolean {
  return allowsModel(policy, servedModel(policy, model));
}

/** The output tokens a request without its own cap gets: the default, else the cap; undefined when neither is set. */
export function implicitOutputTokens(policy: EffectivePolicy): number | undefined {
  return policy.defaultOutputTokens ?? policy.maxOutputTokens ?? undefined;
}

export class PolicyRuleError extends Error {}

/** Checks rules before they are stored: positive integers, non-empty model ids, a default within the cap. */
export function validateRules(rules: PolicyRules): PolicyRules {
  for (const [name, v] of [['max_output_tokens', rules.maxOutputTokens], ['default_output_tokens', rules.defaultOutputTokens],
    ['max_prompt_tokens', rules.maxPromptTokens]] as const) {
    if (v !== null && (!Number.isSafeInteger(v) || v < 1)) throw new PolicyRuleError(`${name} must be a positive integer, got ${v}`);
  }
  if (rules.defaultOutputTokens !== null && rules.maxOutputTokens !== null && rules.defaultOutputTokens > rules.maxOutputTokens) {
    throw new PolicyRuleError(`default_output_tokens (${rules.defaultOutputTokens}) is above max_output_tokens (${rules.maxOutputTokens})`);
  }
  if (rules.allowedModels !== null) {
    if (rules.allowedModels.length === 0) throw new PolicyRuleError('allowed_models must name at least one model (omit it to allow any)');
    if (rules.allowedModels.some((m) => typeof m !== 'string' || m.trim() === '')) throw new PolicyRuleError('allowed_models must be model ids');
  }
  for (const [from, to] of Object.entries(rules.substitutions)) {
    if (from.trim() === '' || typeof to !== 'string' || to.trim() === '') throw new PolicyRuleError('substitutions map a model id to a model id');
    if (from === to) throw new PolicyRuleError(`substitution ${from} -> ${to} names the same model twice`);
  }
  return {
    ...rules,
    allowedModels: rules.allowedModels === null ? null : [...new Set(rules.allowedModels.map((m) => m.trim()))],
  };
}
