// Sign in with the server's auth backend (/ui/config.json names it): database — user name and password, exchanged
// at once for a short-lived bearer token (users/NAME/token, as `hilctl login`); the password is not kept. keystone —
// a Keystone token. null (development) — no credential; everyone is an administrator.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, H, request, type Session } from './api.js';

/** What the credential may do: administrators may list switches; members see their projects. */
async function whoAmI(user: string, token: string | undefined): Promise<Session> {
  let admin = true;
  try {
    await request('GET', `${H}/switches?limit=1`, undefined, { token });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 403) throw err;
    admin = false;
  }
  const projects = await request<{ items: { metadata: { name: string } }[] }>('GET', `${H}/projects`, undefined, {
    token,
  });
  return { user, token, admin, projects: admin ? [] : projects.items.map((p) => p.metadata.name) };
}

export function SignIn(props: { notice?: string; onSignedIn: (s: Session) => void }) {
  const [auth, setAuth] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  useEffect(() => {
    request<{ auth: string }>('GET', '/ui/config.json')
      .then((c) => setAuth(c.auth))
      .catch((e) => setError(`the server cannot be reached: ${String(e)}`));
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (auth === 'database') {
        const basic = btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
        const tr = await request(
          'POST',
          `${H}/users/${encodeURIComponent(user)}/token`,
          {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            spec: { expirationSeconds: 8 * 3600 },
          },
          { basic },
        );
        setPassword('');
        props.onSignedIn(await whoAmI(user, tr.status.token as string));
      } else if (auth === 'keystone') {
        props.onSignedIn(await whoAmI('keystone user', token.trim()));
      } else {
        props.onSignedIn(await whoAmI('anonymous', undefined));
      }
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.code === 401
            ? auth === 'keystone'
              ? 'Sign-in refused: the Keystone token is invalid or has expired.'
              : 'Sign-in refused: the user name or password is wrong.'
            : err.describe()
          : String(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="signin">
      <form onSubmit={(e) => void submit(e)} data-testid="signin">
        <h1>HIL console</h1>
        {props.notice && <p class="notice">{props.notice}</p>}
        {auth === 'database' && (
          <>
            <label>
              User
              <input name="user" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autocomplete="current-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        {auth === 'keystone' && (
          <label>
            Keystone token
            <input
              name="token"
              type="password"
              autocomplete="off"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </label>
        )}
        {auth === 'null' && (
          <p class="warning">
            Authentication is disabled on this server (auth backend "null", development only): everyone is an
            administrator.
          </p>
        )}
        <button type="submit" disabled={busy || !auth}>
          {auth === 'null' ? 'Enter' : 'Sign in'}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
