// Networks, projects and users: lists, create and delete. The forms check nothing themselves: what the server refuses
// comes back as its own Status and is shown as it is (422 naming the field, 409 naming what blocks, 403 the rule).
import { useState } from 'preact/hooks';
import { ApiError, colourOf, condition, H, request, useLive, type Session } from './api.js';

function useOutcome(): [{ ok?: string; err?: string }, Run] {
  const [out, setOut] = useState<{ ok?: string; err?: string }>({});
  const run = async (label: string, f: () => Promise<unknown>) => {
    setOut({});
    try {
      await f();
      setOut({ ok: label });
      return true;
    } catch (err) {
      setOut({ err: err instanceof ApiError ? err.describe() : String(err) });
      return false;
    }
  };
  return [out, run];
}

function Outcome({ out }: { out: { ok?: string; err?: string } }) {
  if (out.err)
    return (
      <p class="error" role="alert" data-testid="api-error">
        {out.err}
      </p>
    );
  return out.ok ? <p class="ok">{out.ok}</p> : null;
}

type Run = (label: string, f: () => Promise<unknown>) => Promise<boolean>;

/** A row's Delete button: DELETE of the object, its outcome (or the server's refusal) shown by the page's Outcome. */
function DeleteButton({ plural, name, done, run }: { plural: string; name: string; done: string; run: Run }) {
  return (
    <button
      type="button"
      class="small"
      onClick={() => void run(done, () => request('DELETE', `${H}/${plural}/${encodeURIComponent(name)}`))}
    >
      Delete
    </button>
  );
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function NetworksAdmin({ session }: { session: Session }) {
  const networks = useLive(`${H}/networks`);
  const [out, run] = useOutcome();
  const [name, setName] = useState('');
  const [owner, setOwner] = useState(session.admin ? '' : (session.projects[0] ?? ''));
  const [access, setAccess] = useState('');
  const [vlan, setVlan] = useState('');
  const [pub, setPub] = useState(false);
  const create = async (e: Event) => {
    e.preventDefault();
    const spec: Record<string, unknown> = { owner, accessProjects: list(access), public: pub };
    if (vlan.trim()) spec.vlan = /^\d+$/.test(vlan.trim()) ? Number(vlan.trim()) : vlan.trim();
    if (
      await run(`network ${name} created`, () =>
        request('POST', `${H}/networks`, { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name }, spec }),
      )
    )
      setName('');
  };
  return (
    <section>
      <h2>Networks</h2>
      <table data-testid="networks">
        <thead>
          <tr>
            <th>Name</th>
            <th>VLAN</th>
            <th>Owner</th>
            <th>Access</th>
            <th>Public</th>
            <th>Ready</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {networks.items.map((n) => {
            const ready = condition(n, 'Ready');
            return (
              <tr key={n.metadata.name} data-testid={`network-${n.metadata.name}`}>
                <td>
                  <i class="swatch" style={{ background: colourOf(n.status?.vlan) }} />
                  {n.metadata.name}
                </td>
                <td>{n.status?.vlan ?? n.spec?.vlan ?? '…'}</td>
                <td>{n.spec?.owner || <em>admin</em>}</td>
                <td>{(n.spec?.accessProjects ?? []).join(', ')}</td>
                <td>{n.spec?.public ? 'yes' : ''}</td>
                <td class={ready?.status === 'False' ? 'bad' : ''} title={ready?.message}>
                  {n.metadata.deletionTimestamp ? 'deleting…' : (ready?.status ?? '')}
                </td>
                <td>
                  <DeleteButton
                    plural="networks"
                    name={n.metadata.name}
                    done={`network ${n.metadata.name} deleted (it goes once nothing is attached)`}
                    run={run}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form class="create" data-testid="create-network" onSubmit={(e) => void create(e)}>
        <h3>New network</h3>
        <input name="name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <input
          name="owner"
          placeholder={session.admin ? 'owner project ("" = admin)' : 'owner project'}
          value={owner}
          onInput={(e) => setOwner(e.currentTarget.value)}
        />
        <input
          name="access"
          placeholder="access projects (comma-separated)"
          value={access}
          onInput={(e) => setAccess(e.currentTarget.value)}
        />
        {session.admin && (
          <input
            name="vlan"
            placeholder="VLAN (empty: allocate)"
            value={vlan}
            onInput={(e) => setVlan(e.currentTarget.value)}
          />
        )}
        <label>
          <input type="checkbox" checked={pub} onChange={(e) => setPub(e.currentTarget.checked)} /> public
        </label>
        <button type="submit">Create</button>
      </form>
      <Outcome out={out} />
    </section>
  );
}

export function ProjectsAdmin({ session }: { session: Session }) {
  const projects = useLive(`${H}/projects`);
  const users = useLive(session.admin ? `${H}/users` : undefined);
  const [out, run] = useOutcome();
  const [name, setName] = useState('');
  const [desc, setDesc] = useState('');
  return (
    <section>
      <h2>Projects</h2>
      <table data-testid="projects">
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
            <th>Members</th>
            <th>Nodes / networks / headnodes</th>
            {session.admin && <th />}
          </tr>
        </thead>
        <tbody>
          {projects.items.map((p) => (
            <tr key={p.metadata.name}>
              <td>{p.metadata.name}</td>
              <td>{p.spec?.description}</td>
              <td>
                {session.admin
                  ? users.items
                      .filter((u) => (u.spec?.projects ?? []).includes(p.metadata.name))
                      .map((u) => u.metadata.name)
                      .join(', ')
                  : '—'}
              </td>
              <td>
                {p.status?.nodes ?? 0} / {p.status?.networks ?? 0} / {p.status?.headnodes ?? 0}
              </td>
              {session.admin && (
                <td>
                  <DeleteButton
                    plural="projects"
                    name={p.metadata.name}
                    done={`project ${p.metadata.name} deleted`}
                    run={run}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {session.admin && (
        <form
          class="create"
          data-testid="create-project"
          onSubmit={(e) => {
            e.preventDefault();
            void (async () => {
              if (
                await run(`project ${name} created`, () =>
                  request('POST', `${H}/projects`, {
                    apiVersion: 'hil.io/v1alpha1',
                    kind: 'Project',
                    metadata: { name },
                    spec: { description: desc },
                  }),
                )
              )
                setName('');
            })();
          }}
        >
          <h3>New project</h3>
          <input name="name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <input
            name="description"
            placeholder="description"
            value={desc}
            onInput={(e) => setDesc(e.currentTarget.value)}
          />
          <button type="submit">Create</button>
        </form>
      )}
      <Outcome out={out} />
    </section>
  );
}

export function UsersAdmin({ session }: { session: Session }) {
  const users = useLive(`${H}/users`);
  const [out, run] = useOutcome();
  const [name, setName] = useState('');
  const [projects, setProjects] = useState('');
  const [admin, setAdmin] = useState(false);
  const [password, setPassword] = useState('');
  if (!session.admin) return <p>Users are managed by administrators.</p>;
  return (
    <section>
      <h2>Users</h2>
      <table data-testid="users">
        <thead>
          <tr>
            <th>Name</th>
            <th>Admin</th>
            <th>Projects</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.items.map((u) => (
            <tr key={u.metadata.name}>
              <td>{u.metadata.name}</td>
              <td>{u.spec?.admin ? 'yes' : ''}</td>
              <td>{(u.spec?.projects ?? []).join(', ')}</td>
              <td>
                <DeleteButton
                  plural="users"
                  name={u.metadata.name}
                  done={`user ${u.metadata.name} deleted`}
                  run={run}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="create"
        data-testid="create-user"
        onSubmit={(e) => {
          e.preventDefault();
          void (async () => {
            const ok = await run(`user ${name} created`, async () => {
              await request('POST', `${H}/users`, {
                apiVersion: 'hil.io/v1alpha1',
                kind: 'User',
                metadata: { name },
                spec: { admin, projects: list(projects) },
              });
              // The password goes to its own subresource; the answer never echoes it, and neither does this page.
              if (password) await request('PUT', `${H}/users/${encodeURIComponent(name)}/password`, { password });
            });
            setPassword('');
            if (ok) setName('');
          })();
        }}
      >
        <h3>New user</h3>
        <input name="name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <input
          name="projects"
          placeholder="projects (comma-separated)"
          value={projects}
          onInput={(e) => setProjects(e.currentTarget.value)}
        />
        <input
          name="password"
          type="password"
          autocomplete="new-password"
          placeholder="password (database auth)"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <label>
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> admin
        </label>
        <button type="submit">Create</button>
      </form>
      <Outcome out={out} />
    </section>
  );
}
