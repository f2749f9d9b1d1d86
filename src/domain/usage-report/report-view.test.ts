import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReportQuery } from './report-query.js';
import { matchesNothing, reportPage, storeGrouping, type RollupSum } from './report-view.js';

const sum = (o: Partial<RollupSum>): RollupSum => ({
  bucketStart: 0, projectId: null, keyId: null, model: null, inputTokens: 10, cachedInputTokens: 4, outputTokens: 3,
  requests: 2, charged: 1_500_000n, ...o,
});

test('completions page: every bucket listed, grouping fields null unless grouped, exact field set', () => {
  const q = parseReportQuery('completions', new URLSearchParams('start_time=0&end_time=7200&bucket_width=1h&group_by=model,batch'), 0);
  const page = reportPage(q, [sum({ model: 'gpt-4o-mini' })]);
  assert.equal(page.object, 'page');
  assert.equal(page.has_more, false);
  assert.equal(page.next_page, null);
  assert.deepEqual(page.data.map((b) => [b.object, b.start_time, b.end_time, b.results.length]), [['bucket', 0, 3600, 1], ['bucket', 3600, 7200, 0]]);
  assert.deepEqual(page.data[0]!.results[0], {
    object: 'organization.usage.completions.result', input_tokens: 10, input_cached_tokens: 4, input_cache_write_tokens: 0,
    input_uncached_tokens: 6, output_tokens: 3, input_text_tokens: 6, output_text_tokens: 3, input_cached_text_tokens: 4,
    input_audio_tokens: 0, input_cached_audio_tokens: 0, output_audio_tokens: 0, input_image_tokens: 0,
    input_cached_image_tokens: 0, output_image_tokens: 0, num_model_requests: 2,
    project_id: null, user_id: null, api_key_id: null, model: 'gpt-4o-mini', batch: false, service_tier: null,
  });
});

test('embeddings and costs results; costs amount is the exact decimal read as a number, in usd', () => {
  const e = parseReportQuery('embeddings', new URLSearchParams('start_time=0&end_time=60&bucket_width=1m&group_by=project_id'), 0);
  assert.deepEqual(reportPage(e, [sum({ projectId: 'proj_1' })]).data[0]!.results[0], {
    object: 'organization.usage.embeddings.result', input_tokens: 10, num_model_requests: 2,
    project_id: 'proj_1', user_id: null, api_key_id: null, model: null,
  });
  const c = parseReportQuery('costs', new URLSearchParams('start_time=0&end_time=86400&group_by=line_item'), 0);
  assert.deepEqual(reportPage(c, [sum({ model: 'gpt-4o', charged: 123_456_789_012_345n })]).data[0]!.results[0], {
    object: 'organization.costs.result', amount: { value: 123.456789012345, currency: 'usd' },
    line_item: 'gpt-4o', project_id: null, api_key_id: null, quantity: 13, quantity_unit: 'tokens',
  });
  const plain = parseReportQuery('costs', new URLSearchParams('start_time=0&end_time=86400'), 0);
  assert.deepEqual(reportPage(plain, [sum({})]).data[0]!.results[0], {
    object: 'organization.costs.result', amount: { value: 0.0000015, currency: 'usd' },
    line_item: null, project_id: null, api_key_id: null, quantity: null, quantity_unit: null,
  });
});

test('a page that stops early carries a cursor; grouping and impossible filters are worked out', () => {
  const q = parseReportQuery('completions', new URLSearchParams('start_time=0&end_time=600&bucket_width=1m&limit=4'), 0);
  const page = reportPage(q, []);
  assert.equal(page.data.length, 4);
  assert.equal(page.has_more, true);
  assert.match(page.next_page!, /^page_/);
  assert.deepEqual(storeGrouping(['line_item', 'api_key_id']), { project: false, key: true, model: true });
  assert.equal(matchesNothing(parseReportQuery('completions', new URLSearchParams('start_time=0&batch=true'), 60)), true);
  assert.equal(matchesNothing(parseReportQuery('completions', new URLSearchParams('start_time=0&user_ids=user_1'), 60)), true);
  assert.equal(matchesNothing(parseReportQuery('completions', new URLSearchParams('start_time=0&batch=false'), 60)), false);
});
