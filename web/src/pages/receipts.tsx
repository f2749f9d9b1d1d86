// Receipts (every purchase, recharge, redemption and refund of the account) and, for members and owners, a form to
// redeem a code. The server decides everything: throttling, once-only, and the role.
import { useState } from 'preact/hooks';
import { api, type Me } from '../api.js';
import { Card, Credits, date, ErrorLine, money, useLoad } from '../ui.js';

interface Receipt {
  id: string; kind: string; created_at: string; credits: string; expires_at: string | null; voided_at: string | null;
  redemption: { code_hint: string } | null; amount: { amount_cents: number; currency: string } | null;
}
interface Redeemed { credits: string; code_hint: string; available: string }

const KIND: Record<string, string> = { purchase: 'Purchase', auto_recharge: 'Auto-recharge', redemption: 'Redemption', refund: 'Refund' };

export function Receipts(props: { me: Me }) {
  const receipts = useLoad(() => api<{ data: Receipt[] }>('/receipts'));
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Redeemed | null>(null);
  const redeem = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      setDone(await api<Redeemed>('/redeem', 'POST', { code: code.trim() }));
      setCode('');
      receipts.reload();
    } catch (err) { setError((err as Error).message); }
    setBusy(false);
  };
  return (
    <>
      {props.me.role !== 'reader' && (
        <Card title="Redeem a code" testId="redeem">
          <form class="row" onSubmit={redeem}>
            <input name="code" autocomplete="off" spellcheck={false} placeholder="Your code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            <button type="submit" disabled={busy}>Redeem</button>
          </form>
          <ErrorLine error={error} />
          {done && <p class="ok" data-testid="redeemed">Added <Credits value={done.credits} /> credits (code {done.code_hint}). Available now: <strong data-testid="redeem-available"><Credits value={done.available} /></strong></p>}
        </Card>
      )}
      <Card title="Receipts" testId="receipts">
        <ErrorLine error={receipts.error} />
        {receipts.data?.data.length === 0 && <p class="muted">No receipts yet.</p>}
        {(receipts.data?.data.length ?? 0) > 0 && (
          <div class="table-wrap"><table>
            <thead><tr><th>Date</th><th>Kind</th><th>Credits</th><th>Paid</th><th class="hide-sm">Expires</th></tr></thead>
            <tbody>{receipts.data!.data.map((r) => (
              <tr key={r.id} data-testid={`receipt-${r.kind}`}>
                <td class="nowrap">{date(r.created_at)}</td>
                <td>{KIND[r.kind] ?? r.kind}{r.redemption && <span class="muted mono"> {r.redemption.code_hint}</span>}
                  {r.voided_at && <span class="pill voided">voided</span>}</td>
                <td><Credits value={r.credits} /></td>
                <td>{r.amount ? money(r.amount.amount_cents, r.amount.currency) : '—'}</td>
                <td class="hide-sm">{date(r.expires_at)}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>
    </>
  );
}
