// Nodes: the list, and one node's detail with what its caller may do to it. Every action is a write to the node or
// a NetworkAttachment, as hilctl does; its progress is what the controllers report back (status, phase, Events),
// seen through the same watches — there is no separate "job".
import { useState } from 'preact/hooks';
import { ApiError, condition, colourOf, H, mergePatch, request, useLive, type KObject, type Session } from './api.js';

const POWER_CYCLE_ANNOTATION = 'hil.io/power-cycle';

function bmcState(n: KObject): { text: string; bad: boolean; title?: string } {
  const c = condition(n, 'BMCReachable');
  if (!c) return { text: 'unknown', bad: false };
  return c.status === 'True'
    ? { text: 'reachable', bad: false }
    : { text: c.reason ?? 'unreachable', bad: true, title: c.message };
}

/** A power cycle asked for (the annotation's value) is done once the node controller records that value. */
function cycleState(n: KObject): string {
  const wanted: string | undefined = n.metadata.annotations?.[POWER_CYCLE_ANNOTATION];
  const done: string | undefined = n.status?.lastPowerCycle;
  if (wanted && wanted !== done) return `requested ${wanted}, in progress`;
  return done ? `done (${done})` : '—';
}

export function NodesList({ session }: { session: Session }) {
  const nodes = useLive(`${H}/nodes`);
  const attachments = useLive(`${H}/networkattachments`);
  const [filter, setFilter] = useState('');
  const shown = nodes.items.filter(
    (n) => !filter || n.metadata.name.includes(filter) || (n.spec?.project ?? '').includes(filter),
  );
  return (
    <section>
      <div class="toolbar">
        <h2>Nodes</h2>
        <input
          placeholder="filter by name or project"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      {nodes.error && <p class="error">{nodes.error.describe()}</p>}
      <table data-testid="nodes">
        <thead>
          <tr>
            <th>Name</th>
            <th>Project</th>
            <th>Power</th>
            <th>BMC</th>
            <th>NICs</th>
            <th>Attachments</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((n) => {
            const bmc = bmcState(n);
            const atts = attachments.items.filter((a) => a.spec?.node === n.metadata.name);
            return (
              <tr key={n.metadata.name} data-testid={`node-row-${n.metadata.name}`}>
                <td>
                  <a href={`#/nodes/${encodeURIComponent(n.metadata.name)}`}>{n.metadata.name}</a>
                </td>
                <td>{n.spec?.project || <em>free</em>}</td>
                <td>
                  {n.status?.power ?? '?'}
                  {n.spec?.power && n.spec.power !== n.status?.power ? ` → ${n.spec.power}` : ''}
                </td>
                <td class={bmc.bad ? 'bad' : ''} title={bmc.title}>
                  {bmc.text}
                </td>
                <td>{(n.spec?.nics ?? []).length}</td>
                <td>
                  {atts.map((a) => (
                    <span key={a.metadata.name} class={`chip ${a.status?.phase === 'Attached' ? '' : 'warnchip'}`}>
                      <i style={{ background: colourOf(a.status?.vlan) }} />
                      {a.spec.network} {a.status?.phase ?? 'Pending'}
                    </span>
                  ))}
                </td>
              </tr>
            );
          })}
          {nodes.loaded && !shown.length && (
            <tr>
              <td colSpan={6}>{session.admin ? 'No nodes.' : 'No nodes in your projects, and no free nodes.'}</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** Runs a write and shows its outcome: the API's own error (422 naming the field, 409, 403) or nothing. */
function useAction(): [string | undefined, (label: string, f: () => Promise<unknown>) => Promise<void>] {
  const [msg, setMsg] = useState<string>();
  const run = async (label: string, f: () => Promise<unknown>) => {
    setMsg(`${label}…`);
    try {
      await f();
      setMsg(`${label}: accepted; the controllers are on it`);
    } catch (err) {
      setMsg(`${label} refused: ${err instanceof ApiError ? err.describe() : String(err)}`);
    }
  };
  return [msg, run];
}

export function NodeDetail({ name, session }: { name: string; session: Session }) {
  const nodes = useLive(`${H}/nodes?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`);
  const attachments = useLive(`${H}/networkattachments`);
  const networks = useLive(`${H}/networks`);
  const events = useLive('/api/v1/events');
  const [msg, run] = useAction();
  const [pick, setPick] = useState<Record<string, { network: string; channel: string }>>({});
  const node = nodes.items[0];
  if (!nodes.loaded) return <p>Loading…</p>;
  if (!node)
    return (
      <section>
        <h2>{name}</h2>
        <p class="error">
          {nodes.error ? nodes.error.describe() : 'This node does not exist or is not visible to you.'}
        </p>
      </section>
    );
  const path = `${H}/nodes/${encodeURIComponent(name)}`;
  const project: string = node.spec?.project ?? '';
  const mine = session.admin || (project !== '' && session.projects.includes(project));
  const bmc = bmcState(node);
  const atts = attachments.items.filter((a) => a.spec?.node === name);
  const nodeEvents = events.items.filter((e) => e.involvedObject?.name === name && e.involvedObject?.kind === 'Node');
  const attEvents = events.items.filter(
    (e) =>
      e.involvedObject?.kind === 'NetworkAttachment' && atts.some((a) => a.metadata.name === e.involvedObject?.name),
  );
  const claimable = !session.admin && project === '' ? session.projects : [];
  return (
    <section data-testid="node-detail">
      <div class="toolbar">
        <h2>
          <a href="#/nodes">Nodes</a> / {name}
        </h2>
        {mine && project !== '' && <a href={`#/console/${encodeURIComponent(name)}`}>Serial console</a>}
      </div>
      <dl class="facts">
        <dt>Project</dt>
        <dd data-testid="node-project">{project || 'free'}</dd>
        <dt>Power</dt>
        <dd data-testid="node-power">
          {node.status?.power ?? 'unknown'}
          {node.spec?.power ? ` (wanted: ${node.spec.power})` : ' (not managed)'}
        </dd>
        <dt>Power cycle</dt>
        <dd data-testid="node-cycle">{cycleState(node)}</dd>
        <dt>Boot device</dt>
        <dd data-testid="node-boot">{node.spec?.bootDevice ?? '—'}</dd>
        <dt>BMC</dt>
        <dd class={bmc.bad ? 'bad' : ''}>
          {node.spec?.obm?.type} {node.spec?.obm?.host}: {bmc.text}
          {bmc.title ? ` — ${bmc.title}` : ''}
        </dd>
        <dt>Conditions</dt>
        <dd>
          {((node.status?.conditions ?? []) as any[]).map((c) => (
            <div key={c.type} class={c.status === 'False' ? 'bad' : ''}>
              {c.type}={c.status} {c.reason} {c.message ? `— ${c.message}` : ''}
            </div>
          ))}
        </dd>
      </dl>
      {mine && (
        <div class="actions" data-testid="node-actions">
          <button type="button" onClick={() => void run('Power on', () => mergePatch(path, { spec: { power: 'On' } }))}>
            Power on
          </button>
          <button
            type="button"
            onClick={() => void run('Power off', () => mergePatch(path, { spec: { power: 'Off' } }))}
          >
            Power off
          </button>
          <button
            type="button"
            onClick={() =>
              void run('Power cycle', () =>
                mergePatch(path, { metadata: { annotations: { [POWER_CYCLE_ANNOTATION]: new Date().toISOString() } } }),
              )
            }
          >
            Power cycle
          </button>
          <label>
            Boot device
            <select
              value={node.spec?.bootDevice ?? ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                void run(`Boot device ${v}`, () => mergePatch(path, { spec: { bootDevice: v } }));
              }}
            >
              <option value="" disabled>
                —
              </option>
              <option value="pxe">pxe</option>
              <option value="disk">disk</option>
            </select>
          </label>
          {project !== '' && (
            <button
              type="button"
              onClick={() => {
                if (confirm(`Release ${name} from project ${project}? It must have no attachments left.`))
                  void run('Release', () => mergePatch(path, { spec: { project: '' } }));
              }}
            >
              Release
            </button>
          )}
        </div>
      )}
      {claimable.length > 0 && (
        <div class="actions">
          {claimable.map((p) => (
            <button
              key={p}
              type="button"
              onClick={() => void run(`Claim for ${p}`, () => mergePatch(path, { spec: { project: p } }))}
            >
              Claim for {p}
            </button>
          ))}
        </div>
      )}
      {session.admin && project === '' && (
        <p class="hint">A free node: assign it to a project from the CLI or by editing spec.project.</p>
      )}
      {msg && (
        <p class="status" data-testid="action-status">
          {msg}
        </p>
      )}
      <h3>NICs</h3>
      <table data-testid="nics">
        <thead>
          <tr>
            <th>NIC</th>
            <th>MAC</th>
            <th>Port</th>
            <th>Attachments</th>
            <th>Attach</th>
          </tr>
        </thead>
        <tbody>
          {((node.spec?.nics ?? []) as any[]).map((nic) => {
            const mineAtts = atts.filter((a) => a.spec.nic === nic.name);
            const choice = pick[nic.name] ?? { network: '', channel: mineAtts.length ? 'tagged' : 'native' };
            const usable = networks.items.filter((n) => !mineAtts.some((a) => a.spec.network === n.metadata.name));
            return (
              <tr key={nic.name} data-testid={`nic-${nic.name}`}>
                <td>{nic.name}</td>
                <td>{nic.macAddress}</td>
                <td>{nic.port ?? '—'}</td>
                <td>
                  {mineAtts.map((a) => {
                    const phase = a.metadata.deletionTimestamp ? 'Detaching' : (a.status?.phase ?? 'Pending');
                    const ready = condition(a, 'Ready');
                    return (
                      <div key={a.metadata.name} class="att" data-testid={`att-${a.spec.network}`}>
                        <i class="swatch" style={{ background: colourOf(a.status?.vlan) }} />
                        {a.spec.network} ({a.spec.channel}
                        {a.status?.vlan ? `, VLAN ${a.status.vlan}` : ''}):{' '}
                        <b
                          class={phase === 'Attached' ? 'ok' : phase === 'Failed' ? 'bad' : 'pending'}
                          data-testid="phase"
                        >
                          {phase}
                        </b>
                        {ready?.status === 'False' && ready.message ? (
                          <span class="msg"> — {ready.message}</span>
                        ) : null}
                        {mine && !a.metadata.deletionTimestamp && (
                          <button
                            type="button"
                            class="small"
                            onClick={() =>
                              void run(`Detach ${nic.name} from ${a.spec.network}`, () =>
                                request('DELETE', `${H}/networkattachments/${encodeURIComponent(a.metadata.name)}`),
                              )
                            }
                          >
                            Detach
                          </button>
                        )}
                      </div>
                    );
                  })}
                  {attEvents
                    .filter(
                      (e) => mineAtts.some((a) => a.metadata.name === e.involvedObject?.name) && e.type === 'Warning',
                    )
                    .slice(-2)
                    .map((e) => (
                      <div key={e.metadata.name} class="msg bad">
                        {e.reason}: {e.message}
                      </div>
                    ))}
                </td>
                <td>
                  {mine && (
                    <form
                      class="inline"
                      data-testid={`attach-${nic.name}`}
                      onSubmit={(e) => {
                        e.preventDefault();
                        const net = choice.network;
                        if (!net) return;
                        void run(`Attach ${nic.name} to ${net}`, () =>
                          request('POST', `${H}/networkattachments`, {
                            apiVersion: 'hil.io/v1alpha1',
                            kind: 'NetworkAttachment',
                            metadata: { name: `${name}-${nic.name}-${net}`.toLowerCase().slice(0, 253) },
                            spec: { node: name, nic: nic.name, network: net, channel: choice.channel },
                          }),
                        );
                      }}
                    >
                      <select
                        name="network"
                        value={choice.network}
                        onChange={(e) =>
                          setPick({ ...pick, [nic.name]: { ...choice, network: e.currentTarget.value } })
                        }
                      >
                        <option value="">network…</option>
                        {usable.map((n) => (
                          <option key={n.metadata.name} value={n.metadata.name}>
                            {n.metadata.name} (VLAN {n.status?.vlan ?? '…'})
                          </option>
                        ))}
                      </select>
                      <select
                        name="channel"
                        value={choice.channel}
                        onChange={(e) =>
                          setPick({ ...pick, [nic.name]: { ...choice, channel: e.currentTarget.value } })
                        }
                      >
                        <option value="native">native</option>
                        <option value="tagged">tagged</option>
                      </select>
                      <button type="submit">Attach</button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Events</h3>
      <EventTable events={[...nodeEvents, ...attEvents]} />
    </section>
  );
}

export function EventTable({ events }: { events: KObject[] }) {
  const sorted = [...events].sort((a, b) =>
    String(b.lastTimestamp ?? b.eventTime ?? b.metadata.creationTimestamp ?? '').localeCompare(
      String(a.lastTimestamp ?? a.eventTime ?? a.metadata.creationTimestamp ?? ''),
    ),
  );
  return (
    <table class="events" data-testid="events">
      <thead>
        <tr>
          <th>Time</th>
          <th>Type</th>
          <th>Object</th>
          <th>Reason</th>
          <th>Message</th>
          <th>Count</th>
        </tr>
      </thead>
      <tbody>
        {sorted.slice(0, 200).map((e) => (
          <tr key={`${e.metadata.namespace}/${e.metadata.name}`} class={e.type === 'Warning' ? 'bad' : ''}>
            <td>
              {String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '')
                .replace('T', ' ')
                .replace(/\..*|Z$/, '')}
            </td>
            <td>{e.type}</td>
            <td>
              {e.involvedObject?.kind}/{e.involvedObject?.name}
            </td>
            <td>{e.reason}</td>
            <td>{e.message}</td>
            <td>{e.count ?? 1}</td>
          </tr>
        ))}
        {!sorted.length && (
          <tr>
            <td colSpan={6}>No events.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
