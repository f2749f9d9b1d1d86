// tollgate estimate FILE|-: prompt tokens, the most a request body can cost and its expected cost, computed with the
// gateway's own tokenizer, prices and (with --account, --project or --key) policies. Spends nothing.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { parseJsonObject } from '../http/read-body.js';
import { effectiveFor, policyStoreFor } from '../services/policies/policies.js';
import { policyTarget } from '../services/policies/policy-wire.js';
import { NO_POLICY } from '../domain/policies/policy.js';
import { estimate, endpointOf, estimateView } from '../services/estimate.js';
import { Prices } from '../services/prices.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parseWithPositionals, printJson } from './args.js';

export async function estimateCommand(argv: string[], store: Store, config: Config): Promise<void> {
  const { values: v, positionals } = parseWithPositionals(argv, {
    account: { type: 'string' }, project: { type: 'string' }, key: { type: 'string' }, endpoint: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [file, extra] = positionals;
  if (file === undefined || extra !== undefined) {
    throw new CliError('usage: tollgate estimate FILE|- [--account ID [--project ID | --key ID]] [--endpoint chat.completions|responses|completions|embeddings] [--json]');
  }
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const body = parseJsonObject(Buffer.from(text));
  if (!body) throw new CliError(`${file} does not hold a JSON object`);

  const accountId = optional(v, 'account');
  const policies = policyStoreFor(store);
  let policy = NO_POLICY;
  if (accountId !== undefined) {
    const target = await policyTarget(store, accountId, { projectId: optional(v, 'project'), keyId: optional(v, 'key') });
    const key = target.scope === 'key' ? (await store.listKeys(accountId)).find((k) => k.id === target.scopeId) : undefined;
    const projectId = target.scope === 'project' ? target.scopeId : key?.projectId ?? null;
    policy = effectiveFor(await policies.listPolicies(accountId), projectId, key?.id ?? null);
  } else if (optional(v, 'project') || optional(v, 'key')) {
    throw new CliError('--project and --key need --account');
  }
  const prices = new Prices(store);
  await prices.reload();
  const result = await estimate(endpointOf(body, optional(v, 'endpoint')), {
    body, prices, policy, policies, accountId, defaultMaxOutput: config.defaultMaxOutputTokens, now: Date.now(),
  });
  const view = estimateView(result);
  if (v.json) {
    printJson(view);
    return;
  }
  process.stdout.write(`${view.model}${result.substitutedFrom ? ` (substituted for ${result.substitutedFrom})` : ''}: ` +
    `${view.prompt_tokens} prompt tokens, up to ${view.max_output_tokens} output tokens\n` +
    `  most it can cost: ${view.max_cost} credits\n` +
    `  expected: ${view.expected_cost} credits at ${view.expected_output_tokens} output tokens (${view.expected_output_basis})\n`);
}
