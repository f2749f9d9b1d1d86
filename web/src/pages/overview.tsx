// Balance and grants (with expiry).
import { api } from '../api.js';
import { Card, Credits, date, ErrorLine, useLoad } from '../ui.js';

interface Grant { id: string; source: string; amount: string; remaining: string; status: string; expires_at: string | null }
interface Balance { available: string; held: string; grants: Grant[] }

export function Overview() {
  const { data, error } = useLoad(() => api<Balance>('/balance'));
  return (
    <>
      <Card title="Balance" testId="balance">
        <ErrorLine error={error} />
        {data && (
          <div class="stats">
            <div><span class="label">Available</span><strong class="big" data-testid="available"><Credits value={data.available} /></strong> credits</div>
            <div><span class="label">Held by requests in flight</span><strong><Credits value={data.held} /></strong></div>
          </div>
        )}
      </Card>
      <Card title="Grants">
        {data && (data.grants.length === 0 ? <p class="muted">No grants yet.</p> : (
          <div class="table-wrap"><table>
            <thead><tr><th>Source</th><th class="hide-sm">Amount</th><th>Remaining</th><th>Status</th><th>Expires</th></tr></thead>
            <tbody>{data.grants.map((g) => (
              <tr key={g.id}><td>{g.source}</td><td class="hide-sm"><Credits value={g.amount} /></td><td><Credits value={g.remaining} /></td>
                <td><span class={`pill ${g.status}`}>{g.status}</span></td><td>{date(g.expires_at)}</td></tr>
            ))}</tbody>
          </table></div>
        ))}
      </Card>
    </>
  );
}
