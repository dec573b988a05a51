import { useState } from 'preact/hooks';
import { api, type Me } from '../api';

// The token is posted once and exchanged for an HttpOnly session cookie: it is never put in the
// URL, in storage or in a cookie the page can read.
export function SignIn(props: { onSignedIn: (m: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const m = await api<Me>('/api/session', { method: 'POST', body: { token } });
      setToken('');
      props.onSignedIn(m);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Customs monitor — SOC console</h1>
      <form onSubmit={submit} method="post">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <p class="hint">Paste the bearer token you were issued (for a local platform: the analyst line of .run/api-tokens).</p>
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
