// The query string of OpenAI's usage and costs endpoints, parsed and checked exactly as the reference spec states
// (start_time, end_time, bucket_width, group_by, filters, limit, page). Pure: the caller passes `nowSec`.
import { decodeCursor, MINUTE } from './buckets.js';

export type ReportKind = 'completions' | 'embeddings' | 'costs';
export type BucketWidth = '1m' | '1h' | '1d';
export type GroupField = 'project_id' | 'user_id' | 'api_key_id' | 'model' | 'batch' | 'service_tier' | 'line_item';

export interface ReportQuery {
  kind: ReportKind;
  /** Unix seconds, minute-aligned: the first bucket starts here (start_time taken down to its minute). */
  origin: number;
  /** Unix seconds, minute-aligned, exclusive: end_time (default: now) taken up to its minute. */
  end: number;
  /** Where this page starts (origin, or the page cursor's bucket). */
  pageStart: number;
  width: BucketWidth;
  widthSec: number;
  limit: number;
  groupBy: GroupField[];
  projectIds: string[] | null;
  userIds: string[] | null;
  apiKeyIds: string[] | null;
  models: string[] | null;
  batch: boolean | null;
}

/** Thrown with OpenAI's wording and the offending parameter; the route turns it into a 400 invalid_request_error. */
export class ReportQueryError extends Error {
  constructor(message: string, readonly param: string, readonly code: string = 'invalid_value') {
    super(message);
  }
}

export const WIDTH_SECONDS: Record<BucketWidth, number> = { '1m': 60, '1h': 3_600, '1d': 86_400 };

const LIMITS: Record<ReportKind, Partial<Record<BucketWidth, { default: number; max: number }>>> = {
  completions: { '1m': { default: 60, max: 1_440 }, '1h': { default: 24, max: 168 }, '1d': { default: 7, max: 31 } },
  embeddings: { '1m': { default: 60, max: 1_440 }, '1h': { default: 24, max: 168 }, '1d': { default: 7, max: 31 } },
  costs: { '1d': { default: 7, max: 180 } },
};

const GROUPS: Record<ReportKind, readonly GroupField[]> = {
  completions: ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'],
  embeddings: ['project_id', 'user_id', 'api_key_id', 'model'],
  costs: ['project_id', 'line_item', 'api_key_id'],
};

const FILTERS: Record<ReportKind, readonly string[]> = {
  completions: ['project_ids', 'user_ids', 'api_key_ids', 'models', 'batch'],
  embeddings: ['project_ids', 'user_ids', 'api_key_ids', 'models'],
  costs: ['project_ids', 'api_key_ids'],
};

export function parseReportQuery(kind: ReportKind, params: URLSearchParams, nowSec: number): ReportQuery {
  const start = integer(params, 'start_time', true)!;
  const endTime = integer(params, 'end_time', false);
  if (start < 0) throw new ReportQueryError(`Invalid 'start_time': integer below minimum value. Expected a value >= 0, but got ${start} instead.`, 'start_time', 'integer_below_min_value');
  const width = bucketWidth(kind, params);
  const widthSec = WIDTH_SECONDS[width];
  const limits = LIMITS[kind][width]!;
  const limit = integer(params, 'limit', false) ?? limits.default;
  if (limit < 1) throw new ReportQueryError(`Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, 'limit', 'integer_below_min_value');
  if (limit > limits.max) {
    throw new ReportQueryError(`Invalid 'limit': integer above maximum value. Expected a value <= ${limits.max}, but got ${limit} instead.`, 'limit', 'integer_above_max_value');
  }
  const origin = Math.floor(start / MINUTE) * MINUTE;
  let end = Math.ceil((endTime ?? Math.max(nowSec, start + 1)) / MINUTE) * MINUTE;
  if (endTime !== undefined && endTime <= start) {
    throw new ReportQueryError(`Invalid 'end_time': it must be later than 'start_time' (${start}), but got ${endTime}.`, 'end_time');
  }
  let pageStart = origin;
  const page = params.get('page');
  if (page !== null && page !== '') {
    const cursor = decodeCursor(page);
    if (!cursor || cursor.next < origin || (cursor.next - origin) % widthSec !== 0 || cursor.next >= cursor.end) {
      throw new ReportQueryError("Invalid 'page': not a page cursor of this query (use the 'next_page' of the previous response).", 'page');
    }
    pageStart = cursor.next;
    if (endTime === undefined) end = cursor.end; // the first page's "now", so pages do not drift
  }
  for (const name of ['project_ids', 'user_ids', 'api_key_ids', 'models', 'batch']) {
    if (!FILTERS[kind].includes(name) && list(params, name) !== null) {
      throw new ReportQueryError(`Unknown parameter: '${name}'.`, name, 'unknown_parameter');
    }
  }
  return {
    kind, origin, end, pageStart, width, widthSec, limit,
    groupBy: groupBy(kind, params),
    projectIds: list(params, 'project_ids'),
    userIds: list(params, 'user_ids'),
    apiKeyIds: list(params, 'api_key_ids'),
    models: list(params, 'models'),
    batch: kind === 'completions' ? boolean(params, 'batch') : null,
  };
}

/** All values of an array parameter, written `name=a&name=b`, `name[]=a`, `name[0]=a` or `name=a,b`; null when none. */
export function list(params: URLSearchParams, name: string): string[] | null {
  const raw = [...params.getAll(name), ...params.getAll(`${name}[]`)];
  for (const [k, v] of params) if (new RegExp(`^${name}\\[\\d+\\]$`).test(k)) raw.push(v);
  const values = [...new Set(raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
  return values.length > 0 ? values : null;
}

function integer(params: URLSearchParams, name: string, required: boolean): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (required) throw new ReportQueryError(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
    return undefined;
  }
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ReportQueryError(`Invalid '${name}': expected an integer, but got '${raw}' instead.`, name, 'invalid_type');
  }
  return Number(raw);
}

function bucketWidth(kind: ReportKind, params: URLSearchParams): BucketWidth {
  const raw = params.get('bucket_width') ?? '1d';
  const allowed = Object.keys(LIMITS[kind]) as BucketWidth[];
  if (!(allowed as string[]).includes(raw)) {
    throw new ReportQueryError(`Invalid 'bucket_width': '${raw}'. Supported values are: ${allowed.map((w) => `'${w}'`).join(', ')}.`, 'bucket_width');
  }
  return raw as BucketWidth;
}

function groupBy(kind: ReportKind, params: URLSearchParams): GroupField[] {
  const values = list(params, 'group_by') ?? [];
  const allowed = GROUPS[kind];
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ReportQueryError(`Invalid 'group_by': '${v}'. Supported values are: ${allowed.map((g) => `'${g}'`).join(', ')}.`, 'group_by');
    }
  }
  return values as GroupField[];
}

function boolean(params: URLSearchParams, name: string): boolean | null {
  const raw = params.get(name);
  if (raw === null || raw === '') return null;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ReportQueryError(`Invalid '${name}': expected a boolean, but got '${raw}' instead.`, name, 'invalid_type');
}
