// API keys: create (the secret is shown once) and revoke. Members and owners can change keys; readers only see them.
import { useState } from 'preact/hooks';
import { api, type Me } from '../api.js';
import { Card, date, ErrorLine, useLoad } from '../ui.js';

interface Key { id: string; name: string; kind: string; project_id: string | null; redacted_value: string; created_at: string; revoked_at: string | null }

export function Keys(props: { me: Me }) {
  const keys = useLoad(() => api<{ data: Key[] }>('/keys'));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canWrite = props.me.role !== 'reader';
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const k = await api<Key & { key: string }>('/keys', 'POST', name ? { name } : {});
      setCreated(k.key);
      setName('');
      keys.reload();
    } catch (err) { setError((err as Error).message); }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api(`/keys/${encodeURIComponent(id)}`, 'DELETE');
      keys.reload();
    } catch (err) { setError((err as Error).message); }
  };
  return (
    <>
      {canWrite && (
        <Card title="Create a key">
          <form class="row" onSubmit={create}>
            <input name="key-name" placeholder="Key name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit">Create key</button>
          </form>
          {created && (
            <div class="notice" data-testid="new-key">
              <p>Copy this key now: it is shown only once.</p>
              <code class="secret">{created}</code>
            </div>
          )}
          <ErrorLine error={error} />
        </Card>
      )}
      <Card title="API keys" testId="keys">
        <ErrorLine error={keys.error} />
        <div class="table-wrap"><table>
          <thead><tr><th>Name</th><th class="hide-sm">Key</th><th class="hide-sm">Created</th><th>Status</th><th /></tr></thead>
          <tbody>{(keys.data?.data ?? []).map((k) => (
            <tr key={k.id} data-testid={`key-${k.name}`}>
              <td>{k.name}</td><td class="mono nowrap hide-sm">{k.redacted_value}</td><td class="hide-sm">{date(k.created_at)}</td>
              <td><span class={`pill ${k.revoked_at ? 'revoked' : 'active'}`}>{k.revoked_at ? 'revoked' : 'active'}</span></td>
              <td>{canWrite && !k.revoked_at && <button class="danger small" onClick={() => revoke(k.id)}>Revoke</button>}</td>
            </tr>
          ))}</tbody>
        </table></div>
      </Card>
    </>
  );
}
