// Small shared pieces: a card, an error line, a loader hook, and credit formatting for display.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

export function Card(props: { title: string; children: ComponentChildren; testId?: string }) {
  return (
    <section class="card" data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function ErrorLine(props: { error: string | null }) {
  return props.error ? <p class="error" role="alert">{props.error}</p> : null;
}

/** Loads data on mount and on reload(); errors become a message, not a crash. */
export function useLoad<T>(load: () => Promise<T>): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((d) => { if (live) { setData(d); setError(null); } }, (e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
  }, [tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Shows a decimal credit string with at most 9 decimals (the exact string is kept in the title attribute). */
export function Credits(props: { value: string }) {
  const [whole, frac = ''] = props.value.split('.');
  const cut = frac.slice(0, 9).replace(/0+$/, '');
  const shown = cut ? `${whole}.${cut}` : whole;
  return <span class="credits" title={props.value}>{shown}</span>;
}

export function date(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

/** Whole cents as "12.50 USD", from integers only. */
export function money(cents: number, currency: string): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} ${currency.toUpperCase()}`;
}
