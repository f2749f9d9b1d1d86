// Applies a request's combined policy while it is planned: the model that serves it, the refusals (model not
// allowed, output cap or prompt over the policy's limit) and the output cap sent upstream when the client set none.
import type { Endpoint } from '../../domain/metering/endpoint.js';
import { COMPLETIONS_DEFAULT_MAX_TOKENS } from '../../domain/metering/output-cap.js';
import { allowsModel, servedModel, type EffectivePolicy } from '../../domain/policies/policy.js';
import { InvalidRequestError, ModelNotFoundError } from '../../http/errors.js';

/** OpenAI's minimum for a Responses request's max_output_tokens. */
export const RESPONSES_MIN_OUTPUT_TOKENS = 16;

/** The body field each endpoint's output cap is written to when the policy supplies it. */
const OUTPUT_FIELD: Record<Endpoint, string | undefined> = {
  'chat.completions': 'max_completion_tokens',
  completions: 'max_tokens',
  responses: 'max_output_tokens',
  embeddings: undefined,
};

/** The model that serves the request (after substitution); 404 model_not_found when the policy does not allow it. */
export function resolveModel(policy: EffectivePolicy, requested: string): string {
  const served = servedModel(policy, requested);
  if (!allowsModel(policy, served)) throw new ModelNotFoundError(requested);
  return served;
}

/** 400 context_length_exceeded when the prompt is over the policy's prompt cap. */
export function checkPromptCap(policy: EffectivePolicy, promptTokens: number, param: string): void {
  const cap = policy.maxPromptTokens;
  if (cap === null || promptTokens <= cap) return;
  throw new InvalidRequestError(
    `The request policy of this API key allows at most ${cap} prompt tokens. However, your request resulted in ${promptTokens} tokens. ` +
      'Please reduce the length of the input.',
    param, 'context_length_exceeded',
  );
}

/**
 * Refuses (400 integer_above_max_value, param = the field) an output cap above the policy's; when the client set no
 * cap, returns the field and value to send upstream (the policy's default, else its cap; never above the model's
 * maximum output; at least 16 on /v1/responses), so the upstream cannot generate more than the hold covers. undefined: the body stays as it is.
 */
export function policyOutputCap(
  policy: EffectivePolicy, endpoint: Endpoint, body: Record<string, unknown>, modelMaxOutput: number | null,
): { field: string; value: number } | undefined {
  const field = OUTPUT_FIELD[endpoint];
  if (field === undefined) return undefined;
  const own = clientOutputCaps(endpoint, body);
  const cap = policy.maxOutputTokens;
  if (cap !== null) {
    for (const [name, value] of own) {
      if (value > cap) {
        throw new InvalidRequestError(
          `Invalid '${name}': integer above maximum value. The request policy of this API key allows at most ${cap} output tokens, ` +
            `whereas you provided ${value}.`,
          name, 'integer_above_max_value',
        );
      }
    }
  }
  if (own.length > 0) return undefined;
  let value = policy.defaultOutputTokens ?? cap;
  if (value === null) return undefined;
  // Without a default, completions keep OpenAI's 16 unless the cap is lower.
  if (policy.defaultOutputTokens === null && endpoint === 'completions') value = Math.min(value, COMPLETIONS_DEFAULT_MAX_TOKENS);
  if (modelMaxOutput !== null) value = Math.min(value, modelMaxOutput);
  // OpenAI refuses a Responses max_output_tokens below 16, so that endpoint gets at least 16 (and holds for it).
  if (endpoint === 'responses') value = Math.max(value, RESPONSES_MIN_OUTPUT_TOKENS);
  return { field, value };
}

/** The output caps the client set itself, as [field, value] (validated as integers by the plan before this runs). */
function clientOutputCaps(endpoint: Endpoint, body: Record<string, unknown>): Array<[string, number]> {
  const fields = endpoint === 'responses' ? ['max_output_tokens'] : ['max_completion_tokens', 'max_tokens'];
  const out: Array<[string, number]> = [];
  for (const f of fields) {
    const v = body[f];
    if (typeof v === 'number') out.push([f, v]);
  }
  return out;
}
