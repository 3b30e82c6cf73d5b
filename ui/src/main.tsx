// The web console's shell: sign-in, then a hash-routed page per screen. Everything shown is what the caller's own
// credential may see (the server filters lists and watches per project).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { saveSession, savedSession, bindSession, type Session } from './api.js';
import { SignIn } from './signin.js';
import { Topology } from './topology.js';
import { NodeDetail, NodesList } from './nodes.js';
import { ConsolePage } from './console.js';
import { NetworksAdmin, ProjectsAdmin, UsersAdmin } from './admin.js';
import { EventsFeed } from './events.js';

function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'topology').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const [expired, setExpired] = useState<string>();
  const signOut = (why?: string) => {
    saveSession(undefined);
    setSession(undefined);
    setExpired(why);
  };
  bindSession(session, () => signOut('Your session has ended; sign in again.'));
  const route = useRoute();
  if (!session)
    return (
      <SignIn
        notice={expired}
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
          setExpired(undefined);
        }}
      />
    );
  const tabs: [string, string][] = [
    ['topology', 'Topology'],
    ['nodes', 'Nodes'],
    ['networks', 'Networks'],
    ['projects', 'Projects'],
    ...(session.admin ? ([['users', 'Users']] as [string, string][]) : []),
    ['events', 'Events'],
  ];
  const [page, arg] = route;
  let body;
  switch (page) {
    case 'nodes':
      body = arg ? <NodeDetail name={arg} session={session} /> : <NodesList session={session} />;
      break;
    case 'console':
      body = <ConsolePage name={arg ?? ''} />;
      break;
    case 'networks':
      body = <NetworksAdmin session={session} />;
      break;
    case 'projects':
      body = <ProjectsAdmin session={session} />;
      break;
    case 'users':
      body = <UsersAdmin session={session} />;
      break;
    case 'events':
      body = <EventsFeed />;
      break;
    default:
      body = <Topology session={session} />;
  }
  return (
    <div class="shell">
      <header>
        <span class="brand">HIL</span>
        <nav>
          {tabs.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={page === id || (!page && id === 'topology') ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {session.user}
          {session.admin ? ' (admin)' : session.projects.length ? ` (${session.projects.join(', ')})` : ''}
        </span>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main>{body}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
