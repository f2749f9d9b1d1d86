import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTimeZone, periodKey, periodStart } from './period.js';

const at = (iso: string) => Date.parse(iso);

test('month keys roll over at local midnight of the 1st', () => {
  assert.equal(periodKey('month', 'UTC', at('2026-11-30T23:59:59.999Z')), '2026-11');
  assert.equal(periodKey('month', 'UTC', at('2026-12-01T00:00:00.000Z')), '2026-12');
  // 23:30 UTC on Nov 30 is already December 1st in Berlin (UTC+1).
  assert.equal(periodKey('month', 'Europe/Berlin', at('2026-11-30T23:30:00Z')), '2026-12');
  // and still November 30th in New York.
  assert.equal(periodKey('month', 'America/New_York', at('2026-12-01T03:00:00Z')), '2026-11');
  assert.equal(periodKey('month', 'UTC', at('2026-12-31T23:59:59Z')), '2026-12');
  assert.equal(periodKey('month', 'UTC', at('2027-01-01T00:00:00Z')), '2027-01');
});

test('day and ISO week keys', () => {
  assert.equal(periodKey('day', 'UTC', at('2026-11-25T10:00:00Z')), '2026-11-25');
  // Wednesday 2026-11-25 belongs to the week starting Monday 2026-11-23; Sunday the 29th too; Monday the 30th starts anew.
  assert.equal(periodKey('week', 'UTC', at('2026-11-25T10:00:00Z')), '2026-11-23');
  assert.equal(periodKey('week', 'UTC', at('2026-11-29T23:59:59Z')), '2026-11-23');
  assert.equal(periodKey('week', 'UTC', at('2026-11-30T00:00:00Z')), '2026-11-30');
  // A week spanning a year boundary keeps its Monday.
  assert.equal(periodKey('week', 'UTC', at('2027-01-01T12:00:00Z')), '2026-12-28');
  // Across a DST change (Europe/Berlin, 2026-10-25) the week key stays the Monday.
  assert.equal(periodKey('week', 'Europe/Berlin', at('2026-10-25T12:00:00Z')), '2026-10-19');
});

test('time zones are validated', () => {
  assert.equal(isValidTimeZone('Asia/Kolkata'), true);
  assert.equal(isValidTimeZone('Mars/Olympus'), false);
});

test('period start is local midnight of the first day, as an instant', () => {
  assert.equal(periodStart('month', 'UTC', at('2026-11-25T10:00:00Z')), at('2026-11-01T00:00:00Z'));
  assert.equal(periodStart('month', 'Europe/Berlin', at('2026-11-25T10:00:00Z')), at('2026-10-31T23:00:00Z'));
  assert.equal(periodStart('day', 'America/New_York', at('2026-11-25T03:00:00Z')), at('2026-11-24T05:00:00Z'));
  assert.equal(periodStart('week', 'UTC', at('2026-11-25T10:00:00Z')), at('2026-11-23T00:00:00Z'));
  // October in Berlin began in summer time (UTC+2) although the 25th is in winter time.
  assert.equal(periodStart('month', 'Europe/Berlin', at('2026-10-28T12:00:00Z')), at('2026-09-30T22:00:00Z'));
  assert.equal(periodStart('month', 'Asia/Kolkata', at('2026-11-25T10:00:00Z')), at('2026-10-31T18:30:00Z'));
});
