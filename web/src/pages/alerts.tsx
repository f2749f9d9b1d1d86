// Alert rules and their delivery log (rules are set with the CLI or the admin API).
import { api } from '../api.js';
import { Card, ErrorLine, useLoad } from '../ui.js';

interface Alerts {
  rules: Array<{ id: string; kind: string; enabled: boolean; channels: string[] }>;
  deliveries: Array<{ id: string; kind: string; channel: string; status: string; attempts: number; created_at: string }>;
}

export function AlertsPage() {
  const { data, error } = useLoad(() => api<Alerts>('/alerts'));
  return (
    <>
      <Card title="Alert rules" testId="alerts">
        <ErrorLine error={error} />
        {data?.rules.length === 0 && <p class="muted">No alert rules.</p>}
        {data && data.rules.length > 0 && (
          <div class="table-wrap"><table>
            <thead><tr><th>Kind</th><th>Channels</th><th>Enabled</th></tr></thead>
            <tbody>{data.rules.map((r) => <tr key={r.id}><td>{r.kind}</td><td>{r.channels.join(', ')}</td><td>{r.enabled ? 'yes' : 'no'}</td></tr>)}</tbody>
          </table></div>
        )}
      </Card>
      <Card title="Delivery log">
        {data?.deliveries.length === 0 && <p class="muted">Nothing delivered yet.</p>}
        {data && data.deliveries.length > 0 && (
          <div class="table-wrap"><table>
            <thead><tr><th>When</th><th>Kind</th><th>Channel</th><th>Status</th><th>Attempts</th></tr></thead>
            <tbody>{data.deliveries.map((d) => (
              <tr key={d.id}><td>{d.created_at.slice(0, 16).replace('T', ' ')}</td><td>{d.kind}</td><td>{d.channel}</td>
                <td><span class={`pill ${d.status}`}>{d.status}</span></td><td>{d.attempts}</td></tr>
            ))}</tbody>
          </table></div>
        )}
      </Card>
    </>
  );
}
