// Narrowing helpers for unvalidated JSON (request bodies, upstream responses, stream events).

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
