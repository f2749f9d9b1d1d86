// Operator pages, behind TOLLGATE_ADMIN_TOKEN: accounts, granting credits, tiers, prices. They call the existing
// admin API (/admin/v1) from the browser; the token lives in memory only and is gone on reload.
import { useState } from 'preact/hooks';
import { admin, hasAdminToken, setAdminToken } from '../api.js';
import { Card, ErrorLine, useLoad } from '../ui.js';

interface Account { id: string; name: string; tier: string; created_at: string }
interface Price { model: string; input: string; cached_input: string | null; output: string }

export function Operator() {
  const [ready, setReady] = useState(hasAdminToken());
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!ready) {
    const enter = async (e: Event) => {
      e.preventDefault();
      setAdminToken(token);
      try {
        await admin('/accounts');
        setReady(true);
      } catch (err) {
        setAdminToken('');
        setError((err as Error).message);
      }
    };
    return (
      <main class="narrow">
        <form class="card" onSubmit={enter}>
          <h2>Operator sign-in</h2>
          <label>Admin token<input name="admin-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} /></label>
          <button type="submit">Enter</button>
          <ErrorLine error={error} />
          <p class="muted"><a href="#/">Back to the dashboard</a></p>
        </form>
      </main>
    );
  }
  return <OperatorPages />;
}

function OperatorPages() {
  const accounts = useLoad(() => admin<{ data: Account[] }>('/accounts'));
  const tiers = useLoad(() => admin<{ data: Array<{ name: string }> }>('/tiers'));
  const prices = useLoad(() => admin<{ data: Price[] }>('/prices'));
  const [selected, setSelected] = useState('');
  const [amount, setAmount] = useState('');
  const [tier, setTier] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<string>) => {
    setError(null);
    setMessage(null);
    try { setMessage(await fn()); accounts.reload(); } catch (err) { setError((err as Error).message); }
  };
  return (
    <main class="content">
      <h1>Operator <a class="small-link" href="#/">back to the dashboard</a></h1>
      <Card title="Accounts" testId="operator-accounts">
        <ErrorLine error={accounts.error} />
        <div class="table-wrap"><table>
          <thead><tr><th /><th>Name</th><th>ID</th><th>Tier</th><th>Created</th></tr></thead>
          <tbody>{(accounts.data?.data ?? []).map((a) => (
            <tr key={a.id}><td><input type="radio" name="account" checked={selected === a.id} onChange={() => setSelected(a.id)} /></td>
              <td>{a.name}</td><td class="mono">{a.id}</td><td>{a.tier}</td><td>{a.created_at.slice(0, 10)}</td></tr>
          ))}</tbody>
        </table></div>
      </Card>
      <Card title="Grant credits and set the tier">
        <p class="muted">{selected ? `Account ${selected}` : 'Pick an account above.'}</p>
        <form class="row" onSubmit={(e) => { e.preventDefault(); void act(async () => {
          await admin(`/accounts/${encodeURIComponent(selected)}/grants`, 'POST', { amount, source: 'adjustment' });
          return `Granted ${amount} credits.`;
        }); }}>
          <input name="amount" inputMode="decimal" placeholder="Credits, e.g. 10" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
          <button type="submit" disabled={!selected}>Grant</button>
        </form>
        <form class="row" onSubmit={(e) => { e.preventDefault(); void act(async () => {
          await admin(`/accounts/${encodeURIComponent(selected)}/tier`, 'PUT', { tier });
          return `Tier set to ${tier}.`;
        }); }}>
          <select name="tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
            <option value="">Tier…</option>
            {(tiers.data?.data ?? []).map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
          </select>
          <button type="submit" disabled={!selected || !tier}>Set tier</button>
        </form>
        {message && <p class="ok">{message}</p>}
        <ErrorLine error={error} />
      </Card>
      <Card title="Prices (USD per 1M tokens)">
        <ErrorLine error={prices.error} />
        <div class="table-wrap scroll"><table>
          <thead><tr><th>Model</th><th>Input</th><th>Cached</th><th>Output</th></tr></thead>
          <tbody>{(prices.data?.data ?? []).map((p) => (
            <tr key={p.model}><td class="mono">{p.model}</td><td>{p.input}</td><td>{p.cached_input ?? '—'}</td><td>{p.output}</td></tr>
          ))}</tbody>
        </table></div>
      </Card>
    </main>
  );
}
