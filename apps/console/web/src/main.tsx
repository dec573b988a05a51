import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf, type Me } from './api';
import { onLiveStatus, startLive, stopLive } from './live';
import { SignIn } from './views/signin';
import { Queue } from './views/queue';
import { AlertDetail } from './views/alert';
import { DeclarationView } from './views/declaration';
import { Deadlines } from './views/deadlines';
import { Brokers } from './views/brokers';
import { Overview } from './views/overview';
import { Ingestion } from './views/ingestion';
import { Admin } from './views/admin';
import './style.css';

// Hash routes: the server never sees them, so a link to an alert works without server routing.
function useRoute(): string[] {
  // "#/alerts?broker=X" carries the queue's initial filters after the "?".
  const read = () => (location.hash.replace(/^#\/?/, '').split('?')[0] || 'alerts').split('/').map(decodeURIComponent);
  const [r, setR] = useState(read());
  useEffect(() => {
    const on = () => setR(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

// Alerts, deadlines, scorecards and readiness are read by roles with data:read (analyst, admin,
// auditor, a broker for its importers; permissions.ts); an integrator's token submits data, so it
// sees the ingestion view only. Triage buttons need can.triage.
const NAV: [string, string, (me: Me) => boolean][] = [
  ['alerts', 'Alert queue', (me) => me.can.read],
  ['deadlines', 'Deadlines', (me) => me.can.read],
  ['brokers', 'Brokers', (me) => me.can.read],
  ['overview', 'Readiness & overview', (me) => me.can.read],
  ['ingestion', 'Ingestion health', () => true],
  ['admin', 'Admin', (me) => me.can.admin],
];

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [live, setLive] = useState(false);
  const route = useRoute();
  useEffect(() => {
    api<Me>('/api/session').then(
      (m) => {
        setCsrf(m.csrf);
        setMe(m);
      },
      () => setMe(null),
    );
  }, []);
  useEffect(() => {
    if (!me) return;
    const off = onLiveStatus(setLive);
    startLive();
    return () => {
      off();
      stopLive();
    };
  }, [me]);
  useEffect(() => {
    const titles: Record<string, string> = Object.fromEntries(NAV.map(([k, t]) => [k, t]));
    document.title = `${route[0] === 'alerts' && route[1] ? 'Alert' : route[0] === 'declarations' ? 'Declaration' : (titles[route[0]!] ?? 'Console')} — Customs monitor`;
  }, [route.join('/')]);

  if (me === undefined)
    return (
      <main id="main">
        <p>Loading…</p>
      </main>
    );
  if (me === null)
    return (
      <SignIn
        onSignedIn={(m) => {
          setCsrf(m.csrf);
          setMe(m);
          location.hash = m.can.read ? '#/alerts' : '#/ingestion';
        }}
      />
    );
  const signOut = async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    setCsrf('');
    setMe(null);
  };
  const [page, id] = route;
  // The admin view explains itself to other roles; the server refuses their calls either way.
  const allowed = page === 'admin' ? () => true : (NAV.find(([k]) => k === page)?.[2] ?? (() => true));
  let body: JSX.Element;
  if (!allowed(me)) body = <p role="alert">Your role ({me.role}) cannot open this view.</p>;
  else if (page === 'alerts' && id) body = <AlertDetail id={id} me={me} />;
  else if (page === 'alerts') body = <Queue me={me} />;
  else if (page === 'declarations' && id) body = <DeclarationView id={id} />;
  else if (page === 'deadlines') body = <Deadlines />;
  else if (page === 'brokers') body = <Brokers />;
  else if (page === 'overview') body = <Overview />;
  else if (page === 'ingestion') body = <Ingestion me={me} />;
  else if (page === 'admin') body = <Admin me={me} />;
  else body = <p>No such page.</p>;
  return (
    <>
      <header class="top">
        <span class="brand">Customs monitor</span>
        <nav aria-label="Views">
          {NAV.filter(([, , show]) => show(me)).map(([k, t]) => (
            <a href={`#/${k}`} aria-current={page === k ? 'page' : undefined}>
              {t}
            </a>
          ))}
        </nav>
        <span class="who">
          <span class={`dot ${live ? 'on' : 'off'}`} aria-hidden="true" />
          <span data-testid="live-status">{live ? 'live' : 'connecting'}</span> · <span data-testid="whoami">{me.subject}</span> ({me.role}, tenant {me.tenant}){' '}
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">{body}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
