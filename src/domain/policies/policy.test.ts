import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowsModel, combinePolicies, implicitOutputTokens, NO_POLICY, servedModel, validateRules, type PolicyRules, type PolicyScope } from './policy.js';

const rules = (scope: PolicyScope, r: Partial<PolicyRules>) => ({
  scope, allowedModels: null, maxOutputTokens: null, defaultOutputTokens: null, maxPromptTokens: null, substitutions: {}, ...r,
});

test('no policies: everything allowed, nothing substituted', () => {
  const p = combinePolicies([]);
  assert.deepEqual(p, NO_POLICY);
  assert.ok(allowsModel(p, 'gpt-4o'));
  assert.equal(servedModel(p, 'gpt-4o'), 'gpt-4o');
  assert.equal(implicitOutputTokens(p), undefined);
});

test('caps take the smallest value and allowed models the intersection, whatever the order given', () => {
  const p = combinePolicies([
    rules('key', { maxOutputTokens: 900, allowedModels: ['a', 'c'], maxPromptTokens: 10 }),
    rules('account', { maxOutputTokens: 500, allowedModels: ['a', 'b', 'c'] }),
    rules('project', { allowedModels: ['c', 'b'], maxPromptTokens: 50 }),
  ]);
  assert.equal(p.maxOutputTokens, 500);
  assert.equal(p.maxPromptTokens, 10);
  assert.deepEqual(p.allowedModels, ['c']);
  assert.ok(!allowsModel(p, 'a'));
});

test('substitutions and the default come from the most specific scope; the default stays within the cap', () => {
  const p = combinePolicies([
    rules('key', { substitutions: { x: 'k' }, defaultOutputTokens: 800 }),
    rules('account', { substitutions: { x: 'a', y: 'a' }, defaultOutputTokens: 100, maxOutputTokens: 300 }),
  ]);
  assert.equal(servedModel(p, 'x'), 'k');
  assert.equal(servedModel(p, 'y'), 'a');
  assert.equal(servedModel(p, 'toString'), 'toString', 'only own keys of the map substitute');
  assert.equal(p.defaultOutputTokens, 300);
  assert.equal(implicitOutputTokens(combinePolicies([rules('account', { maxOutputTokens: 42 })])), 42);
});

test('validateRules refuses a default above the cap, non-positive numbers, empty lists and self-substitution', () => {
  const base = rules('account', {});
  assert.throws(() => validateRules({ ...base, maxOutputTokens: 10, defaultOutputTokens: 11 }), /above max_output_tokens/);
  assert.throws(() => validateRules({ ...base, maxPromptTokens: 0 }), /positive integer/);
  assert.throws(() => validateRules({ ...base, allowedModels: [] }), /at least one model/);
  assert.throws(() => validateRules({ ...base, substitutions: { a: 'a' } }), /same model/);
  assert.deepEqual(validateRules({ ...base, allowedModels: [' a', 'a', 'b'] }).allowedModels, ['a', 'b']);
});
