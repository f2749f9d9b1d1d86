import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinePolicies, type PolicyRules } from '../../domain/policies/policy.js';
import { ApiError } from '../../http/errors.js';
import { checkPromptCap, policyOutputCap, resolveModel } from './apply-policy.js';

const policy = (r: Partial<PolicyRules>) => combinePolicies([{
  scope: 'account', allowedModels: null, maxOutputTokens: null, defaultOutputTokens: null, maxPromptTokens: null, substitutions: {}, ...r,
}]);

const status = (fn: () => unknown): { status: number; param: string | null; code: string | null } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, param: err.param, code: err.code };
    throw err;
  }
  assert.fail('no error');
};

test('resolveModel substitutes first, then checks the served model against the allowed list', () => {
  const p = policy({ allowedModels: ['mini'], substitutions: { big: 'mini', other: 'big' } });
  assert.equal(resolveModel(p, 'big'), 'mini');
  assert.deepEqual(status(() => resolveModel(p, 'other')), { status: 404, param: 'model', code: 'model_not_found' });
  assert.deepEqual(status(() => resolveModel(p, 'gpt')), { status: 404, param: 'model', code: 'model_not_found' });
});

test('checkPromptCap refuses only above the cap', () => {
  checkPromptCap(policy({ maxPromptTokens: 10 }), 10, 'messages');
  assert.deepEqual(status(() => checkPromptCap(policy({ maxPromptTokens: 10 }), 11, 'input')), { status: 400, param: 'input', code: 'context_length_exceeded' });
});

test('policyOutputCap: refuses a larger cap, fills in the default per endpoint, leaves a client cap alone', () => {
  const p = policy({ maxOutputTokens: 100, defaultOutputTokens: 20 });
  assert.deepEqual(policyOutputCap(p, 'chat.completions', {}, null), { field: 'max_completion_tokens', value: 20 });
  assert.deepEqual(policyOutputCap(p, 'completions', {}, null), { field: 'max_tokens', value: 20 });
  assert.deepEqual(policyOutputCap(p, 'responses', {}, null), { field: 'max_output_tokens', value: 20 });
  assert.equal(policyOutputCap(p, 'embeddings', {}, null), undefined);
  assert.equal(policyOutputCap(p, 'chat.completions', { max_tokens: 100 }, null), undefined);
  assert.deepEqual(status(() => policyOutputCap(p, 'chat.completions', { max_tokens: 5, max_completion_tokens: 101 }, null)),
    { status: 400, param: 'max_completion_tokens', code: 'integer_above_max_value' });
  // A cap alone is sent as the cap (completions keep OpenAI's 16), never above the model's maximum; responses >= 16.
  const cap = policy({ maxOutputTokens: 100 });
  assert.deepEqual(policyOutputCap(cap, 'chat.completions', {}, 64), { field: 'max_completion_tokens', value: 64 });
  assert.deepEqual(policyOutputCap(cap, 'completions', {}, null), { field: 'max_tokens', value: 16 });
  assert.deepEqual(policyOutputCap(policy({ defaultOutputTokens: 4 }), 'responses', {}, null), { field: 'max_output_tokens', value: 16 });
  assert.equal(policyOutputCap(policy({}), 'chat.completions', {}, null), undefined);
});
