// Sign-in, and sign-up: open (TOLLGATE_SIGNUP_MODE=open) or with an invitation link (#/join/TOKEN).
import { useState } from 'preact/hooks';
import { api, type Me } from '../api.js';
import { ErrorLine, useLoad } from '../ui.js';

export function SignIn(props: { onSignedIn: (me: Me) => void; inviteToken?: string | undefined }) {
  const config = useLoad(() => api<{ signup_mode: string }>('/config'));
  const [mode, setMode] = useState<'in' | 'up'>(props.inviteToken ? 'up' : 'in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [accountName, setAccountName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const me = mode === 'in'
        ? await api<Me>('/session', 'POST', { email, password })
        : await api<Me>('/signup', 'POST', {
          email, password, ...(accountName ? { account_name: accountName } : {}), ...(props.inviteToken ? { invite_token: props.inviteToken } : {}),
        });
      props.onSignedIn(me);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main class="narrow">
      <h1>Tollgate</h1>
      <form class="card" onSubmit={submit}>
        <h2>{mode === 'in' ? 'Sign in' : props.inviteToken ? 'Accept your invitation' : 'Create an account'}</h2>
        {mode === 'up' && props.inviteToken && <p class="muted">Use the email address the invitation was sent to.</p>}
        <label>Email<input name="email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>Password<input name="password" type="password" autocomplete={mode === 'in' ? 'current-password' : 'new-password'} required
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {mode === 'up' && !props.inviteToken && <label>Account name<input name="account_name" value={accountName} onInput={(e) => setAccountName(e.currentTarget.value)} /></label>}
        <button type="submit">{mode === 'in' ? 'Sign in' : props.inviteToken ? 'Join' : 'Create account'}</button>
        <ErrorLine error={error} />
        {(config.data?.signup_mode === 'open' || props.inviteToken) && (
          <p class="muted"><a href="#" onClick={(e) => { e.preventDefault(); setMode(mode === 'in' ? 'up' : 'in'); }}>
            {mode === 'in' ? 'No account yet? Create one' : 'Have an account? Sign in'}</a></p>
        )}
      </form>
      <p class="muted center"><a href="#/operator">Operator pages</a></p>
    </main>
  );
}
