// Members of the account and invitations (owners only: the server refuses the rest).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Card, date, ErrorLine, useLoad } from '../ui.js';

interface Member { id: string; email: string; role: string; created_at: string }

export function Members() {
  const members = useLoad(() => api<{ data: Member[] }>('/members'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const invite = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ link: string }>('/invites', 'POST', { email, role });
      setLink(`${location.origin}${r.link}`);
      setEmail('');
    } catch (err) { setError((err as Error).message); }
  };
  return (
    <>
      <Card title="Invite a member">
        <form class="row" onSubmit={invite}>
          <input name="invite-email" type="email" placeholder="Email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <select name="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="member">member</option><option value="reader">reader</option><option value="owner">owner</option>
          </select>
          <button type="submit">Invite</button>
        </form>
        {link && <div class="notice" data-testid="invite-link"><p>Send this link (shown once, valid 7 days):</p><code class="secret">{link}</code></div>}
        <ErrorLine error={error} />
      </Card>
      <Card title="Members" testId="members">
        <ErrorLine error={members.error} />
        <div class="table-wrap"><table>
          <thead><tr><th>Email</th><th>Role</th><th class="hide-sm">Since</th></tr></thead>
          <tbody>{(members.data?.data ?? []).map((m) => (
            <tr key={m.id}><td>{m.email}</td><td>{m.role}</td><td class="hide-sm">{date(m.created_at)}</td></tr>
          ))}</tbody>
        </table></div>
      </Card>
    </>
  );
}
