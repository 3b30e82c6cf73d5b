// The wiring at a glance: switches → ports → node NICs → networks, as a layered SVG (four columns; each column's
// rows ordered after the one to its left, so most lines run flat). Each network has its colour and VLAN; a native
// attachment is a solid line, a tagged one dashed. What is wrong is red (a switch unreachable, a port out of sync, a
// BMC unreachable) or amber (an attachment not Attached yet), with the condition's message on hover and in the list
// under the diagram. Live: every collection is list + watch.
import { useState } from 'preact/hooks';
import { colourOf, condition, H, useLive, type KObject, type Session } from './api.js';

interface Box {
  id: string;
  col: number;
  row: number;
  label: string;
  sub?: string;
  problem?: string;
  warn?: string;
  colour?: string;
  testid: string;
}
interface Edge {
  from: string;
  to: string;
  colour: string;
  dashed?: boolean;
  label?: string;
  warn?: string;
  testid?: string;
}

const COL_X = [20, 230, 460, 820];
const BOX_W = [170, 190, 220, 200];
const ROW_H = 46;
const BOX_H = 34;
const TOP = 40;

function falseCondition(o: KObject | undefined, type: string): string | undefined {
  const c = condition(o, type);
  return c && c.status === 'False' ? `${type}: ${c.reason ?? ''}${c.message ? ` — ${c.message}` : ''}` : undefined;
}

export function Topology({ session }: { session: Session }) {
  const switches = useLive(session.admin ? `${H}/switches` : undefined);
  const ports = useLive(session.admin ? `${H}/ports` : undefined);
  const nodes = useLive(`${H}/nodes`);
  const networks = useLive(`${H}/networks`);
  const attachments = useLive(`${H}/networkattachments`);
  const [fProject, setProject] = useState('');
  const [fSwitch, setSwitch] = useState('');
  const [fNetwork, setNetwork] = useState('');

  const portObj = new Map(ports.items.map((p) => [p.metadata.name, p]));
  const netObj = new Map(networks.items.map((n) => [n.metadata.name, n]));
  // Which switch a port is on: its Port object (admins), else what an attachment's status reports (members).
  const portSwitch = new Map<string, string>();
  for (const p of ports.items) portSwitch.set(p.metadata.name, p.spec?.switch ?? '');
  for (const a of attachments.items)
    if (a.status?.port && a.status?.switch && !portSwitch.has(a.status.port))
      portSwitch.set(a.status.port, a.status.switch);

  const projects = [...new Set(nodes.items.map((n) => n.spec?.project).filter(Boolean))].sort() as string[];
  const switchNames = [
    ...new Set([...switches.items.map((s) => s.metadata.name), ...[...portSwitch.values()].filter(Boolean)]),
  ].sort();

  const visibleNodes = nodes.items.filter((n) => !fProject || (n.spec?.project ?? '') === fProject);
  const nicAttachments = (node: string, nic: string) =>
    attachments.items.filter(
      (a) => a.spec?.node === node && a.spec?.nic === nic && (!fNetwork || a.spec?.network === fNetwork),
    );
  interface Nic {
    node: KObject;
    nic: { name: string; port?: string; macAddress?: string };
  }
  let nics: Nic[] = visibleNodes.flatMap((node) =>
    ((node.spec?.nics ?? []) as Nic['nic'][]).map((nic) => ({ node, nic })),
  );
  if (fSwitch) nics = nics.filter((n) => n.nic.port && portSwitch.get(n.nic.port) === fSwitch);
  if (fNetwork) nics = nics.filter((n) => nicAttachments(n.node.metadata.name, n.nic.name).length > 0);

  // Ports: those cabled to a shown NIC, plus (unfiltered, admins) the ones nothing is cabled to yet.
  const portNames = new Set(nics.map((n) => n.nic.port).filter(Boolean) as string[]);
  if (!fProject && !fNetwork)
    for (const p of ports.items) if (!fSwitch || p.spec?.switch === fSwitch) portNames.add(p.metadata.name);
  const portList = [...portNames].sort((a, b) =>
    `${portSwitch.get(a) ?? '~'}/${a}`.localeCompare(`${portSwitch.get(b) ?? '~'}/${b}`),
  );
  const swList = [...new Set(portList.map((p) => portSwitch.get(p) ?? ''))].filter(Boolean);
  if (!fProject && !fNetwork)
    for (const s of switches.items) if (!swList.includes(s.metadata.name) && !fSwitch) swList.push(s.metadata.name);

  const boxes: Box[] = [];
  const edges: Edge[] = [];
  const rowOf = new Map<string, number>();
  portList.forEach((p, i) => {
    const po = portObj.get(p);
    const native = po?.status?.nativeVlan;
    const tagged = (po?.status?.taggedVlans ?? []) as number[];
    rowOf.set(`port:${p}`, i);
    boxes.push({
      id: `port:${p}`,
      col: 1,
      row: i,
      label: po?.spec?.interface ? `${po.spec.interface}` : p,
      sub: po
        ? `native ${native ?? '—'}${tagged.length ? ` · tagged ${tagged.join(',')}` : ''}`
        : `${portSwitch.get(p) ?? 'switch unknown'}`,
      problem: falseCondition(po, 'InSync'),
      testid: `port-${p}`,
    });
  });
  swList.forEach((s, i) => {
    const mine = portList.map((p, row) => ({ p, row })).filter((x) => portSwitch.get(x.p) === s);
    const row = mine.length ? mine.reduce((t, x) => t + x.row, 0) / mine.length : portList.length + i;
    const so = switches.items.find((x) => x.metadata.name === s);
    boxes.push({
      id: `switch:${s}`,
      col: 0,
      row,
      label: s,
      sub: so ? `${so.spec?.type ?? ''} ${so.spec?.address ?? ''}` : 'switch',
      problem: falseCondition(so, 'Reachable') ?? falseCondition(so, 'Ready'),
      testid: `switch-${s}`,
    });
    for (const x of mine) edges.push({ from: `switch:${s}`, to: `port:${x.p}`, colour: '#999' });
  });
  const nicsSorted = [...nics].sort(
    (a, b) =>
      (rowOf.get(`port:${a.nic.port}`) ?? 1e6) - (rowOf.get(`port:${b.nic.port}`) ?? 1e6) ||
      `${a.node.metadata.name}/${a.nic.name}`.localeCompare(`${b.node.metadata.name}/${b.nic.name}`),
  );
  const netOrder: string[] = [];
  nicsSorted.forEach((n, i) => {
    const id = `nic:${n.node.metadata.name}/${n.nic.name}`;
    const bmc = falseCondition(n.node, 'BMCReachable');
    boxes.push({
      id,
      col: 2,
      row: i,
      label: `${n.node.metadata.name} · ${n.nic.name}`,
      sub: `${n.node.spec?.project || 'free'} · power ${n.node.status?.power ?? '?'}`,
      problem: bmc,
      testid: `nic-${n.node.metadata.name}-${n.nic.name}`,
    });
    if (n.nic.port && portNames.has(n.nic.port)) edges.push({ from: `port:${n.nic.port}`, to: id, colour: '#555' });
    for (const a of nicAttachments(n.node.metadata.name, n.nic.name)) {
      const net = a.spec.network as string;
      if (!netOrder.includes(net)) netOrder.push(net);
      const phase = (a.status?.phase as string | undefined) ?? 'Pending';
      const failed = falseCondition(a, 'Ready') ?? falseCondition(a, 'Attached');
      edges.push({
        from: id,
        to: `net:${net}`,
        colour: colourOf(netObj.get(net)?.status?.vlan),
        dashed: a.spec.channel === 'tagged',
        label: `${a.spec.channel}${phase === 'Attached' ? '' : ` · ${a.metadata.deletionTimestamp ? 'Detaching' : phase}`}`,
        warn:
          phase === 'Attached' && !a.metadata.deletionTimestamp
            ? undefined
            : `attachment ${a.metadata.name}: ${a.metadata.deletionTimestamp ? 'Detaching' : phase}${failed ? ` — ${failed}` : ''}`,
        testid: `att-${a.metadata.name}`,
      });
    }
  });
  for (const n of networks.items) {
    const name = n.metadata.name;
    if (fNetwork && name !== fNetwork) continue;
    if (fProject && n.spec?.owner !== fProject && !(n.spec?.accessProjects ?? []).includes(fProject)) continue;
    if (fSwitch && !netOrder.includes(name)) continue;
    if (!netOrder.includes(name)) netOrder.push(name);
  }
  netOrder.forEach((net, i) => {
    const no = netObj.get(net);
    const linked = edges.filter((e) => e.to === `net:${net}`).map((e) => boxes.find((b) => b.id === e.from)!.row);
    boxes.push({
      id: `net:${net}`,
      col: 3,
      row: linked.length ? Math.max(i, linked.reduce((t, r) => t + r, 0) / linked.length) : i,
      label: net,
      sub: `VLAN ${no?.status?.vlan ?? no?.spec?.vlan ?? 'pending'} · ${no ? no.spec?.owner || 'admin' : 'not visible'}`,
      colour: colourOf(no?.status?.vlan),
      problem: falseCondition(no, 'Ready'),
      testid: `net-${net}`,
    });
  });
  // Networks placed at their NICs' average row may overlap: push each down to keep a row apart.
  const netBoxes = boxes.filter((b) => b.col === 3).sort((a, b) => a.row - b.row);
  for (let i = 1; i < netBoxes.length; i++)
    if (netBoxes[i].row < netBoxes[i - 1].row + 1) netBoxes[i].row = netBoxes[i - 1].row + 1;
  const swBoxes = boxes.filter((b) => b.col === 0).sort((a, b) => a.row - b.row);
  for (let i = 1; i < swBoxes.length; i++)
    if (swBoxes[i].row < swBoxes[i - 1].row + 1) swBoxes[i].row = swBoxes[i - 1].row + 1;

  const byId = new Map(boxes.map((b) => [b.id, b]));
  const y = (b: Box) => TOP + b.row * ROW_H;
  const rows = Math.max(1, ...boxes.map((b) => b.row + 1));
  const height = TOP + rows * ROW_H + 10;
  // A node whose BMC cannot be reached is flagged on its NICs; one without NICs in the diagram is listed here.
  const shownNodes = new Set(nicsSorted.map((n) => n.node.metadata.name));
  const problems = [
    ...boxes.filter((b) => b.problem).map((b) => `${b.label}: ${b.problem}`),
    ...visibleNodes
      .filter((n) => !shownNodes.has(n.metadata.name) && falseCondition(n, 'BMCReachable'))
      .map((n) => `node ${n.metadata.name}: ${falseCondition(n, 'BMCReachable')}`),
    ...edges.filter((e) => e.warn).map((e) => e.warn!),
  ];
  const loading = !nodes.loaded || !networks.loaded || !attachments.loaded;

  return (
    <section>
      <div class="toolbar">
        <h2>Topology</h2>
        <label>
          Project
          <select data-testid="filter-project" value={fProject} onChange={(e) => setProject(e.currentTarget.value)}>
            <option value="">all</option>
            {projects.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Switch
          <select data-testid="filter-switch" value={fSwitch} onChange={(e) => setSwitch(e.currentTarget.value)}>
            <option value="">all</option>
            {switchNames.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Network
          <select data-testid="filter-network" value={fNetwork} onChange={(e) => setNetwork(e.currentTarget.value)}>
            <option value="">all</option>
            {networks.items.map((n) => (
              <option key={n.metadata.name} value={n.metadata.name}>
                {n.metadata.name}
              </option>
            ))}
          </select>
        </label>
        <span class="legend">
          <svg width="40" height="10">
            <line x1="0" y1="5" x2="40" y2="5" class="edge" stroke="#333" />
          </svg>
          native
          <svg width="40" height="10">
            <line x1="0" y1="5" x2="40" y2="5" class="edge dashed" stroke="#333" />
          </svg>
          tagged
        </span>
      </div>
      {loading ? (
        <p>Loading…</p>
      ) : (
        <svg class="topology" data-testid="topology" width={COL_X[3] + BOX_W[3] + 20} height={height}>
          {['Switches', 'Ports', 'Node NICs', 'Networks'].map((h, i) => (
            <text key={h} x={COL_X[i]} y={20} class="colhead">
              {h}
            </text>
          ))}
          {edges.map((e, i) => {
            const a = byId.get(e.from);
            const b = byId.get(e.to);
            if (!a || !b) return null;
            const x1 = COL_X[a.col] + BOX_W[a.col];
            const y1 = y(a) + BOX_H / 2;
            const x2 = COL_X[b.col];
            const y2 = y(b) + BOX_H / 2;
            const mx = (x1 + x2) / 2;
            return (
              <g key={i} data-testid={e.testid} class={e.warn ? 'warn' : ''}>
                <path
                  d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`}
                  class={`edge${e.dashed ? ' dashed' : ''}${e.warn ? ' pending' : ''}`}
                  stroke={e.colour}
                >
                  {e.warn && <title>{e.warn}</title>}
                </path>
                {e.label && (
                  <text x={x1 + 8} y={y1 + (y2 >= y1 ? -4 : 12)} class={`edgelabel${e.warn ? ' warntext' : ''}`}>
                    {e.label}
                  </text>
                )}
              </g>
            );
          })}
          {boxes.map((b) => (
            <g key={b.id} data-testid={b.testid} class={`box${b.problem ? ' problem' : ''}`}>
              <rect
                x={COL_X[b.col]}
                y={y(b)}
                width={BOX_W[b.col]}
                height={BOX_H}
                rx={5}
                stroke={b.problem ? '#d62728' : (b.colour ?? '#666')}
                fill={b.colour ?? '#fff'}
                fill-opacity={b.colour ? 0.1 : 1}
              />
              <text x={COL_X[b.col] + 8} y={y(b) + 14} class="label">
                {b.label}
              </text>
              {b.sub && (
                <text x={COL_X[b.col] + 8} y={y(b) + 28} class="sub">
                  {b.sub}
                </text>
              )}
              {b.problem && <title>{b.problem}</title>}
            </g>
          ))}
        </svg>
      )}
      {!session.admin && (
        <p class="hint">Switches and ports are administrator-only: ports are shown as the attachments report them.</p>
      )}
      <h3>Needs attention</h3>
      <ul class="problems" data-testid="problems">
        {problems.length ? problems.map((p, i) => <li key={i}>{p}</li>) : <li class="ok">nothing: all in sync</li>}
        {[switches, ports, nodes, networks, attachments]
          .filter((l) => l.error && l.error.code !== 403)
          .map((l, i) => (
            <li key={`e${i}`}>{l.error!.describe()}</li>
          ))}
      </ul>
    </section>
  );
}
