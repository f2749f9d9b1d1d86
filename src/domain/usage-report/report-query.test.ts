import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCursor } from './buckets.js';
import { list, parseReportQuery, ReportQueryError } from './report-query.js';

const NOW = 1_730_505_600; // 2024-11-02T00:00:00Z
const q = (s: string) => new URLSearchParams(s);

function rejects(kind: 'completions' | 'embeddings' | 'costs', s: string, param: string, message: RegExp, code?: string) {
  assert.throws(() => parseReportQuery(kind, q(s), NOW), (err: unknown) => {
    assert.ok(err instanceof ReportQueryError);
    assert.equal(err.param, param);
    assert.match(err.message, message);
    if (code) assert.equal(err.code, code);
    return true;
  });
}

test('defaults: 1d buckets, limit 7, end_time now, nothing grouped or filtered', () => {
  const r = parseReportQuery('completions', q('start_time=1730419200'), NOW);
  assert.deepEqual(r, {
    kind: 'completions', origin: 1730419200, end: NOW, pageStart: 1730419200, width: '1d', widthSec: 86_400, limit: 7,
    groupBy: [], projectIds: null, userIds: null, apiKeyIds: null, models: null, batch: null,
  });
});

test('limit defaults and maxima per bucket width, as the spec states them', () => {
  for (const [width, def, max] of [['1d', 7, 31], ['1h', 24, 168], ['1m', 60, 1440]] as const) {
    assert.equal(parseReportQuery('embeddings', q(`start_time=0&bucket_width=${width}`), NOW).limit, def);
    assert.equal(parseReportQuery('embeddings', q(`start_time=0&bucket_width=${width}&limit=${max}`), NOW).limit, max);
    rejects('embeddings', `start_time=0&bucket_width=${width}&limit=${max + 1}`, 'limit',
      new RegExp(`Expected a value <= ${max}, but got ${max + 1} instead`), 'integer_above_max_value');
  }
  assert.equal(parseReportQuery('costs', q('start_time=0'), NOW).limit, 7);
  assert.equal(parseReportQuery('costs', q('start_time=0&limit=180'), NOW).limit, 180);
  rejects('costs', 'start_time=0&limit=181', 'limit', /<= 180/);
  rejects('completions', 'start_time=0&limit=0', 'limit', />= 1/, 'integer_below_min_value');
});

test('bad parameters are refused naming the parameter', () => {
  rejects('completions', '', 'start_time', /^Missing required parameter: 'start_time'\.$/, 'missing_required_parameter');
  rejects('completions', 'start_time=yesterday', 'start_time', /expected an integer, but got 'yesterday'/, 'invalid_type');
  rejects('completions', 'start_time=1.5', 'start_time', /expected an integer/);
  rejects('completions', 'start_time=100&end_time=100', 'end_time', /later than 'start_time'/);
  rejects('completions', 'start_time=0&bucket_width=1w', 'bucket_width', /'1m', '1h', '1d'/);
  rejects('costs', 'start_time=0&bucket_width=1h', 'bucket_width', /Supported values are: '1d'\./);
  rejects('embeddings', 'start_time=0&group_by=batch', 'group_by', /'batch'/);
  rejects('costs', 'start_time=0&group_by=model', 'group_by', /'project_id', 'line_item', 'api_key_id'/);
  rejects('completions', 'start_time=0&batch=yes', 'batch', /expected a boolean/);
  rejects('embeddings', 'start_time=0&batch=true', 'batch', /Unknown parameter/);
  rejects('costs', 'start_time=0&models=gpt-4o', 'models', /Unknown parameter/);
  rejects('completions', 'start_time=0&page=garbage', 'page', /Invalid 'page'/);
  rejects('completions', `start_time=0&bucket_width=1h&page=${encodeCursor(60, 7200)}`, 'page', /Invalid 'page'/);
});

test('group_by and filters accept repeated, bracketed and comma-separated forms', () => {
  const r = parseReportQuery('completions', q('start_time=0&group_by=project_id&group_by[]=model&group_by=api_key_id,batch'
    + '&project_ids[0]=proj_a&project_ids[1]=proj_b&models=gpt-4o&batch=false&api_key_ids='), NOW);
  assert.deepEqual(r.groupBy, ['project_id', 'api_key_id', 'batch', 'model']);
  assert.deepEqual(r.projectIds, ['proj_a', 'proj_b']);
  assert.deepEqual(r.models, ['gpt-4o']);
  assert.equal(r.apiKeyIds, null, 'an empty value is no filter');
  assert.equal(r.batch, false);
  assert.deepEqual(list(q('x=a&x=a,b'), 'x'), ['a', 'b']);
});

test('times are taken to the minute: start down, end up; a page cursor sets the page start and keeps the first end', () => {
  const r = parseReportQuery('completions', q('start_time=1730419230&end_time=1730419261&bucket_width=1m'), NOW);
  assert.equal(r.origin, 1730419200);
  assert.equal(r.end, 1730419320);
  const cursor = encodeCursor(1730419200 + 3 * 3600, NOW - 60);
  const paged = parseReportQuery('completions', q(`start_time=1730419200&bucket_width=1h&page=${cursor}`), NOW + 999);
  assert.equal(paged.pageStart, 1730419200 + 3 * 3600);
  assert.equal(paged.end, NOW - 60, 'a later page ends where the first did');
});
