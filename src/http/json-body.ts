// Reads and checks a small JSON object body for management endpoints, with field helpers that fail as clear 400s.
import type { IncomingMessage } from 'node:http';
import { parseCredits } from '../domain/money/pico.js';
import { InvalidJsonError, InvalidRequestError } from './errors.js';
import { parseJsonObject, readBody } from './read-body.js';

const MANAGEMENT_BODY_LIMIT = 1024 * 1024;

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, MANAGEMENT_BODY_LIMIT);
  if (raw.length === 0) return {};
  const body = parseJsonObject(raw);
  if (!body) throw new InvalidJsonError();
  return body;
}

export function str(body: Record<string, unknown>, field: string, opts: { required?: boolean } = {}): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.required) throw new InvalidRequestError(`Missing required parameter: '${field}'.`, field, 'missing_required_parameter');
    return undefined;
  }
  if (typeof v !== 'string' || v === '') throw new InvalidRequestError(`Invalid '${field}': expected a non-empty string.`, field, 'invalid_type');
  return v;
}

export function int(body: Record<string, unknown>, field: string, opts: { min?: number; required?: boolean } = {}): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.required) throw new InvalidRequestError(`Missing required parameter: '${field}'.`, field, 'missing_required_parameter');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (opts.min ?? 0)) {
    throw new InvalidRequestError(`Invalid '${field}': expected an integer >= ${opts.min ?? 0}.`, field, 'invalid_type');
  }
  return v;
}

/** Credits as an exact decimal string ("12.5"); numbers are refused so no float ever reaches money. */
export function credits(body: Record<string, unknown>, field: string, opts: { required?: boolean } = {}): bigint | undefined {
  const v = body[field];
  if (v === undefined || v === null) {
    if (opts.required) throw new InvalidRequestError(`Missing required parameter: '${field}'.`, field, 'missing_required_parameter');
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new InvalidRequestError(`Invalid '${field}': credits are written as a decimal string, e.g. "12.50".`, field, 'invalid_type');
  }
  try {
    return parseCredits(v);
  } catch (err) {
    throw new InvalidRequestError(`Invalid '${field}': ${(err as Error).message}`, field, 'invalid_value');
  }
}

export function time(body: Record<string, unknown>, field: string): number | null | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v * 1000 : NaN;
  if (!Number.isFinite(t)) throw new InvalidRequestError(`Invalid '${field}': expected an ISO 8601 time or unix seconds.`, field, 'invalid_value');
  return t;
}
