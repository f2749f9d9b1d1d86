import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, csvHeader, csvRow, parseCsv, type CsvColumn } from './csv.js';

test('RFC 4180: commas, quotes and newlines are quoted, quotes doubled, and parse back', () => {
  const cols: CsvColumn<string[]>[] = [0, 1, 2, 3].map((i) => ({ name: `c${i}`, kind: 'plain', value: (r) => r[i] ?? null }));
  const rows = [['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf'], ['', 'plain', '""', ',']];
  const text = csvHeader(cols) + rows.map((r) => csvRow(cols, r)).join('');
  assert.equal(csvField('a,b', 'plain'), '"a,b"');
  assert.equal(csvField('say "hi"', 'plain'), '"say ""hi"""');
  assert.deepEqual(parseCsv(text), [['c0', 'c1', 'c2', 'c3'], ...rows]);
});

test('formula injection: text fields starting with = + - @ tab or CR get a leading apostrophe; plain fields do not', () => {
  for (const bad of ['=HYPERLINK("x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
    assert.ok(parseCsv(`${csvField(bad, 'text')}\r\n`)[0]![0]!.startsWith(`'${bad[0]}`), bad);
  }
  assert.equal(csvField('-0.5', 'plain'), '-0.5');
  assert.equal(csvField('gpt-4o', 'text'), 'gpt-4o');
  assert.equal(csvField(null, 'text'), '');
  assert.equal(csvField(true, 'plain'), 'true');
});
