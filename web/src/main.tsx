// The dashboard app: signs the member in, then shows one page at a time, chosen by the URL hash.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, setCsrf, type Me } from './api.js';
import { AlertsPage } from './pages/alerts.js';
import { Budgets } from './pages/budgets.js';
import { Buy } from './pages/buy.js';
import { ForecastPage } from './pages/forecast.js';
import { Keys } from './pages/keys.js';
import { Members } from './pages/members.js';
import { Operator } from './pages/operator.js';
import { Overview } from './pages/overview.js';
import { Playground } from './pages/playground.js';
import { Receipts } from './pages/receipts.js';
import { SignIn } from './pages/sign-in.js';
import { Usage } from './pages/usage.js';

const PAGES = [
  ['overview', 'Balance'], ['usage', 'Usage'], ['forecast', 'Forecast'], ['budgets', 'Budgets'], ['receipts', 'Receipts'], ['buy', 'Buy credits'], ['alerts', 'Alerts'], ['keys', 'API keys'], ['playground', 'Playground'], ['members', 'Members'],
] as const;
type Page = (typeof PAGES)[number][0];

function currentRoute(): string {
  return location.hash.replace(/^#\/?/, '') || 'overview';
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    api<Me>('/me').then(signedIn, (e: unknown) => {
      if (e instanceof ApiFailure && e.status === 401) setMe(null);
      else setMe(null);
    });
    return () => removeEventListener('hashchange', onHash);
  }, []);
  function signedIn(m: Me) {
    setCsrf(m.csrf_token);
    setMe(m);
  }
  if (route === 'operator') return <Operator />;
  if (me === undefined) return <main class="narrow"><p class="muted">Loading…</p></main>;
  const invite = /^join\/(.+)$/.exec(route)?.[1];
  if (me === null) return <SignIn onSignedIn={(m) => { signedIn(m); if (invite) location.hash = '#/overview'; }} inviteToken={invite} />;
  const page = (PAGES.some(([p]) => p === route) ? route : 'overview') as Page;
  const signOut = async () => {
    await api('/session', 'DELETE').catch(() => undefined);
    setMe(null);
  };
  return (
    <>
      <header class="top">
        <div class="brand">Tollgate <span class="muted">{me.account_name}</span></div>
        <nav>{PAGES.filter(([p]) => (p !== 'members' && p !== 'buy') || me.role === 'owner').map(([p, label]) => <a key={p} href={`#/${p}`} class={p === page ? 'active' : ''}>{label}</a>)}</nav>
        <div class="who"><span class="muted">{me.email} · {me.role}</span> <button class="small ghost" onClick={signOut}>Sign out</button></div>
      </header>
      <main class="content">
        {page === 'overview' && <Overview />}
        {page === 'usage' && <Usage />}
        {page === 'forecast' && <ForecastPage />}
        {page === 'budgets' && <Budgets me={me} />}
        {page === 'receipts' && <Receipts me={me} />}
        {page === 'buy' && <Buy />}
        {page === 'alerts' && <AlertsPage />}
        {page === 'keys' && <Keys me={me} />}
        {page === 'playground' && <Playground me={me} />}
        {page === 'members' && <Members />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
