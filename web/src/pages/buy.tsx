// Buy credits (owners): choose a pack, or an amount for the custom plan, and go to the provider's checkout page. The
// credits arrive when the provider confirms the payment (its webhook), once; the receipt then lists it.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Card, Credits, ErrorLine, money, useLoad } from '../ui.js';

interface Plan {
  id: string; name: string; kind: 'pack' | 'custom'; currency: string;
  price_cents?: number; total_credits?: string; bonus_credits?: string; min_cents?: number; max_cents?: number; credits_per_cent?: string;
}

/** "12.5" → 1250 cents, from the digits (no floating point); undefined when it is not an amount with at most 2 decimals. */
export function toCents(text: string): number | undefined {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : undefined;
}

export function Buy() {
  const plans = useLoad(() => api<{ data: Plan[]; payments_enabled: boolean }>('/plans'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [amount, setAmount] = useState('');
  const checkout = async (body: { plan_id: string; amount_cents?: number }) => {
    setError(null);
    setBusy(true);
    try {
      const { url } = await api<{ url: string }>('/checkout', 'POST', body);
      location.assign(url);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  const enabled = plans.data?.payments_enabled === true;
  return (
    <Card title="Buy credits" testId="buy">
      <ErrorLine error={plans.error ?? error} />
      {plans.data && !enabled && <p class="muted">Buying credits is not set up on this gateway.</p>}
      {enabled && plans.data!.data.length === 0 && <p class="muted">No plans on sale.</p>}
      {enabled && (
        <div class="plans">{plans.data!.data.map((p) => p.kind === 'pack' ? (
          <div class="plan" key={p.id} data-testid={`plan-${p.id}`}>
            <strong>{p.name}</strong>
            <span class="big"><Credits value={p.total_credits!} /></span>
            <span class="muted">credits{p.bonus_credits && p.bonus_credits !== '0' ? <> (incl. <Credits value={p.bonus_credits} /> bonus)</> : null}</span>
            <button disabled={busy} onClick={() => checkout({ plan_id: p.id })}>Buy for {money(p.price_cents!, p.currency)}</button>
          </div>
        ) : (
          <form class="plan" key={p.id} data-testid={`plan-${p.id}`} onSubmit={(e) => {
            e.preventDefault();
            const cents = toCents(amount);
            if (cents === undefined) setError('Enter an amount such as 25 or 12.50.');
            else void checkout({ plan_id: p.id, amount_cents: cents });
          }}>
            <strong>{p.name}</strong>
            <label>Amount ({p.currency.toUpperCase()}, {money(p.min_cents!, p.currency)} to {money(p.max_cents!, p.currency)})
              <input name="amount" inputMode="decimal" required value={amount} onInput={(e) => setAmount(e.currentTarget.value)} /></label>
            <button type="submit" disabled={busy}>Buy</button>
          </form>
        ))}</div>
      )}
    </Card>
  );
}
