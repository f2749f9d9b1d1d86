// The response header that tells a client its request was served by another model than the one it asked for.

export const SUBSTITUTION_HEADER = 'x-tollgate-model-substituted';

/** `{ "x-tollgate-model-substituted": "gpt-4o -> gpt-4o-mini" }` when a policy substituted the model; {} otherwise. */
export function substitutionHeader(plan: { model: string; substitutedFrom: string | null }): Record<string, string> {
  return plan.substitutedFrom === null ? {} : { [SUBSTITUTION_HEADER]: `${plan.substitutedFrom} -> ${plan.model}` };
}
