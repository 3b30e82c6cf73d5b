// Reads a HIL database into plain records, whichever of HIL's schemas it has. Which schema is told by the tables
// and columns present, not by alembic_version (dumps and hand-made databases may lack it):
//   - networks: `owner_id` + the `network_projects` access list (HIL ≥ 0.3), or the older single
//     `creator_id`/`access_id` pair (NULL access = public);
//   - nodes: `obmd_uri`/`obmd_admin_token` on `node` (HIL 0.4+), or `obm_id` → `obm` (polymorphic `type`) → `ipmi` /
//     `mock_obm` (older);
//   - table names before and after the Flask move (`networkattachment` / `network_attachment`, `mockswitch` /
//     `mock_switch`, `powerconnect55xx` / `power_connect55xx`, …);
//   - optional parts: `user`/`user_projects` (database auth), `metadata`, `headnode`/`hnic`, `vlan` (the VLAN pool).
import type { HilSource, Row } from './source.js';
import { SourceError } from './source.js';

export type HilObm =
  | { kind: 'ipmi' | 'mock'; host: string; user: string; password: string }
  | { kind: 'obmd'; uri: string; adminToken: string; enabled: boolean }
  | { kind: 'unknown'; type: string };

export interface HilSite {
  /** What the tables say about the schema, for the report. */
  schema: string[];
  projects: string[];
  /** undefined: the database has no user tables (HIL ran with another auth backend). */
  users?: { name: string; admin: boolean; hash: string | null; projects: string[] }[];
  switches: { label: string; type: string; fields?: Record<string, string> }[];
  ports: { switch: string; label: string }[];
  nodes: {
    label: string;
    project: string | null;
    obm: HilObm;
    nics: { label: string; mac: string | null; port?: { switch: string; label: string } }[];
    metadata: { label: string; value: string | null }[];
  }[];
  networks: { label: string; owner: string | null; access: string[]; allocated: boolean; networkId: string }[];
  attachments: { node: string; nic: string; network: string; channel: string }[];
  /** Networking actions HIL's network daemon has not carried out (yet). */
  pendingActions: { node: string; nic: string; type: string; network: string | null; channel: string }[];
  headnodes: {
    label: string;
    project: string;
    baseImage: string;
    uuid: string;
    started: boolean;
    hnics: { label: string; network: string | null }[];
  }[];
  /** The VLAN pool's VLANs (the `vlan` table), sorted. */
  vlanPool?: number[];
}

/** HIL's type URIs end in the short type name: `http://schema.massopencloud.org/haas/v0/switches/nexus` → `nexus`. */
export const typeTail = (t: string) => t.replace(/\/+$/, '').split('/').pop() ?? t;

/** Per-type tables of HIL's switch and OBM extensions, by type tail; the first that exists is used. */
const SWITCH_TABLES: Record<string, string[]> = {
  mock: ['mock_switch', 'mockswitch'],
  powerconnect55xx: ['power_connect55xx', 'powerconnect55xx'],
  delln3000: ['dell_n3000', 'delln3000'],
  nexus: ['nexus'],
  brocade: ['brocade'],
  dellnos9: ['dell_no_s9', 'dell_nos9', 'dellnos9'],
  ovs: ['ovs'],
};
const OBM_TABLES: Record<string, string[]> = { ipmi: ['ipmi'], mock: ['mock_obm', 'mockobm'] };

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
/** PostgreSQL gives booleans, SQLite 0/1. */
const bool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't' || v === 'true';

export async function readHilSite(src: HilSource): Promise<HilSite> {
  const tables = await src.tables();
  const missing = ['project', 'node', 'nic', 'switch', 'port', 'network'].filter((t) => !tables.has(t));
  if (missing.length)
    throw new SourceError(
      `${src.description} does not look like a HIL database: table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`,
    );
  const has = (t: string, col?: string) => tables.has(t) && (col === undefined || tables.get(t)!.has(col));
  const first = (names: string[]) => names.find((n) => tables.has(n));
  const rows = async (t: string | undefined): Promise<Row[]> => (t ? src.rows(t) : []);
  const byId = (rs: Row[]) => new Map(rs.map((r) => [String(r.id), r]));
  const schema: string[] = [];

  const projects = byId(await rows('project'));
  const projectName = (id: unknown) => (id === null || id === undefined ? null : str(projects.get(String(id))?.label));

  // Switches and ports.
  const switchRows = byId(await rows('switch'));
  const switches: HilSite['switches'] = [];
  const detail = new Map<string, Map<string, Row>>();
  for (const r of switchRows.values()) {
    const type = typeTail(String(r.type));
    const table = first(SWITCH_TABLES[type] ?? []);
    if (table && !detail.has(table)) detail.set(table, byId(await rows(table)));
    const d = table ? detail.get(table)!.get(String(r.id)) : undefined;
    const fields = d
      ? Object.fromEntries(Object.entries(d).flatMap(([k, v]) => (k === 'id' || v === null ? [] : [[k, String(v)]])))
      : undefined;
    switches.push({ label: String(r.label), type, fields });
  }
  const portRows = byId(await rows('port'));
  const portRef = (id: unknown) => {
    const p = id === null || id === undefined ? undefined : portRows.get(String(id));
    return p ? { switch: String(switchRows.get(String(p.owner_id))?.label), label: String(p.label) } : undefined;
  };
  const ports = [...portRows.values()].map((p) => portRef(p.id)!);

  // Nodes: OBM, NICs, metadata.
  const nodeRows = byId(await rows('node'));
  const obmd = has('node', 'obmd_uri');
  schema.push(obmd ? 'nodes with obmd (HIL 0.4+)' : 'nodes with OBM tables (HIL before 0.4)');
  const obmRows = !obmd && has('obm') ? byId(await rows('obm')) : new Map<string, Row>();
  const obmDetail = new Map<string, Map<string, Row>>();
  for (const [kind, names] of Object.entries(OBM_TABLES)) {
    const t = first(names);
    if (t && !obmd) obmDetail.set(kind, byId(await rows(t)));
  }
  const obmOf = (n: Row): HilObm => {
    if (obmd)
      return {
        kind: 'obmd',
        uri: String(n.obmd_uri ?? ''),
        adminToken: String(n.obmd_admin_token ?? ''),
        enabled: n.obmd_node_token !== null && n.obmd_node_token !== undefined,
      };
    const o = obmRows.get(String(n.obm_id));
    const type = o ? typeTail(String(o.type)) : '(none)';
    const d = obmDetail.get(type)?.get(String(n.obm_id));
    if ((type === 'ipmi' || type === 'mock') && d)
      return { kind: type, host: String(d.host), user: String(d.user), password: String(d.password) };
    return { kind: 'unknown', type: o ? String(o.type) : '(no OBM row)' };
  };
  const nicRows = byId(await rows('nic'));
  const metadataRows = has('metadata') ? await rows('metadata') : [];
  const nodes: HilSite['nodes'] = [...nodeRows.values()].map((n) => ({
    label: String(n.label),
    project: projectName(n.project_id),
    obm: obmOf(n),
    nics: [...nicRows.values()]
      .filter((c) => String(c.owner_id) === String(n.id))
      .map((c) => ({ label: String(c.label), mac: str(c.mac_addr), port: portRef(c.port_id) })),
    metadata: metadataRows
      .filter((m) => String(m.owner_id) === String(n.id))
      .map((m) => ({ label: String(m.label), value: str(m.value) })),
  }));
  const nicRef = (id: unknown) => {
    const c = nicRows.get(String(id));
    return c ? { node: String(nodeRows.get(String(c.owner_id))?.label), nic: String(c.label) } : undefined;
  };

  // Networks and their access lists.
  const netRows = byId(await rows('network'));
  const acl = has('network_projects');
  schema.push(acl ? 'network access lists (network_projects)' : 'single-project network access (creator/access)');
  const access = new Map<string, string[]>();
  if (acl)
    for (const r of await rows('network_projects')) {
      const p = projectName(r.project_id);
      if (p) access.set(String(r.network_id), [...(access.get(String(r.network_id)) ?? []), p]);
    }
  const networks: HilSite['networks'] = [...netRows.values()].map((r) => {
    const owner = projectName(acl ? r.owner_id : r.creator_id);
    const list = acl ? (access.get(String(r.id)) ?? []) : [projectName(r.access_id)].filter((p): p is string => !!p);
    return {
      label: String(r.label),
      owner,
      access: [...new Set(list)].sort(),
      allocated: bool(r.allocated),
      networkId: String(r.network_id),
    };
  });
  const netName = (id: unknown) => (id === null || id === undefined ? null : str(netRows.get(String(id))?.label));

  const attachments: HilSite['attachments'] = [];
  for (const r of await rows(first(['network_attachment', 'networkattachment']))) {
    const nic = nicRef(r.nic_id);
    const network = netName(r.network_id);
    if (nic && network) attachments.push({ ...nic, network, channel: String(r.channel) });
  }
  const pendingActions: HilSite['pendingActions'] = [];
  for (const r of await rows(first(['networking_action', 'networkingaction']))) {
    // HIL ≥ 0.3 keeps finished actions with a status; older schemas delete them when done.
    if (r.status !== undefined && r.status !== null && String(r.status).toUpperCase() !== 'PENDING') continue;
    const nic = nicRef(r.nic_id);
    if (nic)
      pendingActions.push({
        ...nic,
        type: String(r.type ?? 'modify_port'),
        network: netName(r.new_network_id),
        channel: String(r.channel),
      });
  }

  // Users (database auth).
  let users: HilSite['users'];
  if (has('user', 'hashed_password')) {
    schema.push('database auth users');
    const members = new Map<string, string[]>();
    for (const r of await rows('user_projects')) {
      const p = projectName(r.project_id);
      if (p) members.set(String(r.user_id), [...(members.get(String(r.user_id)) ?? []), p]);
    }
    users = (await rows('user')).map((u) => ({
      name: String(u.label),
      admin: bool(u.is_admin),
      hash: str(u.hashed_password),
      projects: [...new Set(members.get(String(u.id)) ?? [])].sort(),
    }));
  }

  // Headnodes.
  const headnodes: HilSite['headnodes'] = [];
  if (has('headnode')) {
    const hnics = await rows('hnic');
    for (const h of await rows('headnode'))
      headnodes.push({
        label: String(h.label),
        project: String(projectName(h.project_id)),
        baseImage: String(h.base_img),
        uuid: String(h.uuid),
        started: !bool(h.dirty),
        hnics: hnics
          .filter((x) => String(x.owner_id) === String(h.id))
          .map((x) => ({ label: String(x.label), network: netName(x.network_id) })),
      });
  }

  let vlanPool: number[] | undefined;
  if (has('vlan', 'vlan_no')) vlanPool = (await rows('vlan')).map((r) => Number(r.vlan_no)).sort((a, b) => a - b);

  return {
    schema,
    projects: [...projects.values()].map((p) => String(p.label)),
    users,
    switches,
    ports,
    nodes,
    networks,
    attachments,
    pendingActions,
    headnodes,
    vlanPool,
  };
}
