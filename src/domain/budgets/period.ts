// Budget periods: which calendar day, ISO week or month an instant falls in, in the budget's time zone.
// The key is the period's first local date ('2026-11' for a month, '2026-11-23' for the week starting Monday the 23rd,
// '2026-11-25' for a day). PostgreSQL computes the same keys in tollgate_hold_batch (to_char / date_trunc('week')).

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows (e.g. 'UTC', 'Europe/Berlin'). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date of `at` in `timeZone`. */
export function localDate(at: number, timeZone: string): { year: number; month: number; day: number } {
  const parts = formatter(timeZone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function periodKey(period: BudgetPeriod, timeZone: string, at: number): string {
  const d = localDate(at, timeZone);
  if (period === 'month') return `${pad(d.year, 4)}-${pad(d.month)}`;
  if (period === 'day') return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
  // ISO week: back to Monday. Work on the local date as a UTC calendar date so DST never shifts it.
  const asUtc = Date.UTC(d.year, d.month - 1, d.day);
  const weekday = (new Date(asUtc).getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(asUtc - weekday * 86_400_000);
  return `${pad(monday.getUTCFullYear(), 4)}-${pad(monday.getUTCMonth() + 1)}-${pad(monday.getUTCDate())}`;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone's wall clock is ahead of UTC at instant `at`. */
function zoneOffsetMinutes(at: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}

/** The instant the period containing `at` began: local midnight of its first day, in the budget's time zone. */
export function periodStart(period: BudgetPeriod, timeZone: string, at: number): number {
  const key = periodKey(period, timeZone, at);
  const [y, m, d] = key.split('-').map(Number) as [number, number, number | undefined];
  const wall = Date.UTC(y, m - 1, d ?? 1);
  let start = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  // Near a DST change the offset at the guess can differ from the offset at the true start: correct once.
  start = wall - zoneOffsetMinutes(start, timeZone) * 60_000;
  return start;
}
