// hil-admin import-hil: HIL's objects (read.ts) become resources, written through the resource handlers with the
// server's admission chain (server.ts resourceHandlers), as an administrator: the same validation, invariants and
// defaults an API request gets. Names follow the v0 mapping (v0/names.ts), so `/v0` shows every imported object
// under its HIL name, and credentials go into the Secrets the v0 calls use (`<switch>-credentials`, `<node>-obm`).
//
// Idempotent: each object is compared with what the store has and created, updated (spec differs: HIL changed
// since the last import) or left unchanged; nothing is ever deleted. With dryRun every write is a dry run
// (validated and admitted, not stored). What cannot be carried over is a `skip` entry with the reason.
//
// Importing must change nothing on any switch: every imported Switch is created paused (hil.io/paused), so the
// switch controller only reads it while HIL still drives it, and HIL's current attachments are recorded as in
// place (status phase Attached, switch, port, VLAN). Allocated networks keep their VLAN through a VLAN claim held
// by the network (as the network controller's own claims), explicit ones through spec.vlan.
import { deepEqual } from '../object.js';
import type { KObject } from '../object.js';
import { ApiError } from '../errors.js';
import type { Registry, ResourceType } from '../registry.js';
import { storeKey } from '../registry.js';
import type { RequestInfo, ResourceHandlers } from '../handlers/resources.js';
import { resourceHandlers } from '../server.js';
import type { CredentialStore, Store } from '../store/store.js';
import type { UserInfo } from '../auth/user.js';
import { parseSha512Crypt } from '../auth/sha-crypt.js';
import { HIL_HNIC_NAMES_ANNOTATION, PAUSED_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { CLAIM_LABEL, CLAIM_NETWORK_LABEL, claimName, SYSTEM_NAMESPACE } from '../../api/v1alpha1/vlan-claims.js';
import {
  compositeName,
  hilNameAnnotations,
  hilNameOf,
  HIL_NIC_NAMES_ANNOTATION,
  nicName,
  resourceName,
} from '../v0/names.js';
import { OVS_DEFAULT_REMOTE, SWITCH_TYPES } from '../v0/switches.js';
import { OBM_TYPES } from '../v0/nodes.js';
import type { HilObm, HilSite } from './read.js';

export type Action = 'create' | 'update' | 'unchanged' | 'skip';

export interface PlanEntry {
  action: Action;
  kind: string;
  /** The HIL name (or a description of the HIL row). */
  hil: string;
  /** The resource name (namespace/name for Secrets and Leases). */
  name?: string;
  /** Why it is skipped, what differs, or what was left out of it. */
  detail?: string;
}

export interface ImportReport {
  entries: PlanEntry[];
  notes: string[];
}

export interface ImportOptions {
  store: Store & CredentialStore;
  registry: Registry;
  /** Plan only: every write is a dry run. */
  dryRun?: boolean;
  /** Create Switches paused (default true): nothing is written to a switch until an admin resumes it. */
  pauseSwitches?: boolean;
  /** Called for each entry as it is decided (progress on long imports). */
  onEntry?: (e: PlanEntry, done: number, total: number) => void;
}

/** An object as the importer wants it (apiVersion and kind are added from its type). */
type Want = { metadata: KObject['metadata']; spec?: any; [key: string]: any };

const IMPORTER: UserInfo = { name: 'system:hil-import', admin: true, projects: [] };
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/**
 * The obm of a Node for an obmd-managed HIL node, as v0's node_register makes it: the node's obmd URL, the admin
 * token as the password (user `admin`) of the `-obm` Secret, and the OBM disabled. Enabling it here would take a
 * new node token from obmd, replacing HIL's (ending HIL's consoles) while both run: that is left to the admin.
 */
function obmdObm(uri: string, secret: string) {
  return { type: 'obmd', uri, enabled: false, credentialsSecretRef: { name: secret, namespace: SYSTEM_NAMESPACE } };
}

/** `100-200,300-500` from a sorted list of VLANs. */
export function vlanRanges(vlans: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < vlans.length;) {
    let j = i;
    while (j + 1 < vlans.length && vlans[j + 1] === vlans[j] + 1) j++;
    out.push(i === j ? `${vlans[i]}` : `${vlans[i]}-${vlans[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

class Importer {
  readonly entries: PlanEntry[] = [];
  readonly notes: string[] = [];
  private readonly handlers: ResourceHandlers;
  private total = 0;

  constructor(private readonly o: ImportOptions) {
    // Without the VLAN pool: admission then checks an explicit VLAN for uniqueness only, not for being inside the
    // pool or a switch's vlanRange. HIL took any net_id for admin networks (provider VLANs outside the pool are the
    // usual case), and these VLANs are on the switches already: refusing them would not make them go away.
    this.handlers = resourceHandlers({ store: o.store });
  }

  setTotal(n: number) {
    this.total = n;
  }

  /** HIL rows decided so far (the Secrets and VLAN claims made beside objects are not HIL rows). */
  private done = 0;

  record(e: PlanEntry): PlanEntry {
    this.entries.push(e);
    if (e.kind !== 'Secret' && e.kind !== 'Lease') this.done++;
    this.o.onEntry?.(e, this.done, this.total);
    return e;
  }

  private type(plural: string): ResourceType {
    const t =
      plural === 'secrets'
        ? this.o.registry.lookup('', 'v1', 'secrets')
        : plural === 'leases'
          ? this.o.registry.lookup('coordination.k8s.io', 'v1', 'leases')
          : this.o.registry.lookup('hil.io', 'v1alpha1', plural);
    if (!t) throw new Error(`import-hil: kind ${plural} is not registered`);
    return t;
  }

  private info(plural: string, namespace: string, name?: string, subresource?: string): RequestInfo {
    return {
      type: this.type(plural),
      namespace,
      name,
      subresource,
      user: IMPORTER,
      query: { fieldValidation: 'Strict', ...(this.o.dryRun ? { dryRun: 'All' } : {}) },
      contentType: 'application/json',
      accept: undefined,
      userAgent: 'hil-admin-import',
    };
  }

  async get(plural: string, namespace: string, name: string): Promise<KObject | undefined> {
    return (await this.o.store.get(storeKey(this.type(plural)), namespace, name))?.object;
  }

  /**
   * Makes the object be as `want` says: created when absent, else updated. The update goes through the handlers
   * like any other (validated, defaulted, admitted); an update that changes nothing stores nothing and keeps the
   * resourceVersion, which is how an object that already matches HIL (defaults included) is told `unchanged`.
   * An object under that name that another HIL name (or someone else) made is never touched: skipped.
   */
  async ensure(
    kind: string,
    plural: string,
    hil: string,
    want: Want,
    options: {
      namespace?: string;
      owned?: (cur: KObject) => boolean;
      detail?: string;
      /** Annotations set when the object is created, never on an update (the pause of a Switch). */
      createAnnotations?: Record<string, string>;
      /** Never update an existing object (a VLAN claim: held by the network's uid, nothing to compare). */
      keep?: boolean;
    } = {},
  ): Promise<{ entry: PlanEntry; object?: KObject }> {
    const namespace = options.namespace ?? '';
    const name = want.metadata.name!;
    const shown = namespace ? `${namespace}/${name}` : name;
    const t = this.type(plural);
    const cur = await this.get(plural, namespace, name);
    const entry = (action: Action, detail?: string) =>
      this.record({ action, kind, hil, name: shown, ...(detail ? { detail } : {}) });
    try {
      if (cur) {
        if (options.owned ? !options.owned(cur) : hilNameOf(cur) !== hil)
          return {
            entry: entry('skip', `${t.kind} ${shown} already exists and is not HIL's ${hil}; left as it is`),
          };
        if (options.keep) return { entry: entry('unchanged', options.detail), object: cur };
        const next: KObject = {
          ...cur,
          ...want,
          metadata: {
            ...cur.metadata,
            ...(want.metadata.labels ? { labels: { ...cur.metadata.labels, ...want.metadata.labels } } : {}),
            ...(want.metadata.annotations
              ? { annotations: { ...cur.metadata.annotations, ...want.metadata.annotations } }
              : {}),
          },
        };
        const after = (await this.handlers.update(this.info(plural, namespace, name), next)).body as KObject;
        const changed = after.metadata.resourceVersion !== cur.metadata.resourceVersion;
        return {
          entry: entry(
            changed ? 'update' : 'unchanged',
            changed ? (options.detail ?? 'differs from HIL') : options.detail,
          ),
          object: this.o.dryRun ? cur : after,
        };
      }
      const annotations = { ...want.metadata.annotations, ...options.createAnnotations };
      const r = await this.handlers.create(this.info(plural, namespace), {
        ...want,
        metadata: { ...want.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
        apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
        kind: t.kind,
      });
      return { entry: entry('create', options.detail), object: r.body as KObject };
    } catch (err) {
      if (err instanceof ApiError) return { entry: entry('skip', err.message) };
      throw err;
    }
  }

  /** Writes status (merge) unless dry-running; API errors become notes. */
  async writeStatus(plural: string, name: string, status: Record<string, unknown>): Promise<void> {
    if (this.o.dryRun) return;
    try {
      await this.handlers.patch(
        { ...this.info(plural, '', name, 'status'), contentType: 'application/merge-patch+json' },
        Buffer.from(JSON.stringify({ status })),
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.notes.push(`${plural}/${name}: status not recorded: ${err.message}`);
    }
  }

  skip(kind: string, hil: string, detail: string): void {
    this.record({ action: 'skip', kind, hil, detail });
  }
}

const meta = (hilName: string): KObject['metadata'] => {
  const annotations = hilNameAnnotations(hilName);
  return { name: resourceName(hilName), ...(annotations ? { annotations } : {}) };
};
/** Secrets the importer (or the v0 layer) made for an object: same name scheme, so ours to update. */
const secretOwned = () => true;

export async function importHil(site: HilSite, o: ImportOptions): Promise<ImportReport> {
  const im = new Importer(o);
  im.setTotal(
    site.projects.length +
      (site.users?.length ?? 0) +
      site.switches.length +
      site.ports.length +
      site.networks.length +
      site.nodes.length +
      site.attachments.length +
      site.headnodes.length +
      site.pendingActions.length,
  );
  im.notes.push(`HIL schema: ${site.schema.join('; ')}`);

  // ---- projects -----------------------------------------------------------------------------------------------
  const projects = new Map<string, string>();
  for (const label of site.projects) {
    const want: Want = { metadata: meta(label), spec: {} };
    // A HIL project is only its name: an existing one is left as it is (its description set here, say).
    const r = await im.ensure('Project', 'projects', label, want, { keep: true });
    if (r.entry.action !== 'skip') projects.set(label, want.metadata.name!);
  }
  const projectRef = (label: string | null) => (label === null ? '' : projects.get(label));

  // ---- users ----------------------------------------------------------------------------------------------------
  if (!site.users)
    im.notes.push('no user tables: HIL ran with another auth backend (keystone, null); no users imported');
  for (const u of site.users ?? []) {
    const lost = u.projects.filter((p) => !projects.has(p));
    const want: Want = {
      metadata: meta(u.name),
      spec: { admin: u.admin, projects: u.projects.flatMap((p) => projects.get(p) ?? []).sort() },
    };
    const details: string[] = [];
    if (lost.length) details.push(`memberships of projects not imported dropped: ${lost.join(', ')}`);
    const hashOk = u.hash !== null && parseSha512Crypt(u.hash) !== undefined;
    if (!hashOk)
      details.push(
        u.hash === null
          ? 'no password in HIL: set one (users/NAME/password) before the user can log in'
          : 'the password hash is not sha512-crypt: set a new password (users/NAME/password)',
      );
    const r = await im.ensure('User', 'users', u.name, want, { detail: details.join('; ') || undefined });
    if (!r.object || !hashOk || o.dryRun) continue;
    const cred = await o.store.getPassword(want.metadata.name!);
    if (!cred) {
      await o.store.setPassword(want.metadata.name!, r.object.metadata.uid!, u.hash!);
      if (r.entry.action === 'unchanged') {
        r.entry.action = 'update';
        r.entry.detail = 'password set from HIL';
      }
    }
    // A password already here (set, or HIL's hash re-hashed at a login) is kept.
  }

  // ---- switches and ports -------------------------------------------------------------------------------------
  const switches = new Map<string, string>();
  for (const s of site.switches) {
    const kind = SWITCH_TYPES[s.type];
    if (!kind) {
      im.skip('Switch', s.label, `HIL switch type "${s.type}" has no driver here (see docs/drivers.md)`);
      continue;
    }
    const missing = kind.required.filter((f) => s.fields?.[f] === undefined);
    if (!s.fields || missing.length) {
      im.skip('Switch', s.label, `HIL's ${s.type} table has no ${missing.join(', ') || 'row'} for it`);
      continue;
    }
    const m = meta(s.label);
    const name = m.name!;
    const options: Record<string, string> = {};
    for (const [from, to] of Object.entries(kind.options ?? {})) options[to] = s.fields[from];
    const secret = s.fields.username !== undefined ? `${name}-credentials` : undefined;
    const want: Want = {
      metadata: m,
      spec: {
        type: kind.type,
        address: kind.type === 'ovs' ? OVS_DEFAULT_REMOTE : s.fields.hostname,
        ...(secret ? { credentialsSecretRef: { name: secret, namespace: SYSTEM_NAMESPACE } } : {}),
        ...(Object.keys(options).length ? { options } : {}),
      },
    };
    // Paused at creation only: a switch an admin has resumed since stays resumed on a re-import.
    const r = await im.ensure('Switch', 'switches', s.label, want, {
      createAnnotations: o.pauseSwitches === false ? undefined : { [PAUSED_ANNOTATION]: 'true' },
    });
    if (r.entry.action === 'skip') continue;
    switches.set(s.label, name);
    if (secret) {
      const data = { username: s.fields.username, password: s.fields.password ?? '' };
      await im.ensure(
        'Secret',
        'secrets',
        `credentials of switch ${s.label}`,
        { metadata: { name: secret, namespace: SYSTEM_NAMESPACE }, type: 'Opaque', stringData: data },
        { namespace: SYSTEM_NAMESPACE, owned: secretOwned },
      );
    }
  }
  const ports = new Map<string, { name: string; switch: string }>();
  const portKey = (sw: string, label: string) => JSON.stringify([sw, label]);
  for (const p of site.ports) {
    const sw = switches.get(p.switch);
    const hil = `${p.switch} ${p.label}`;
    if (!sw) {
      im.skip('Port', hil, `switch ${p.switch} is not imported`);
      continue;
    }
    const want: Want = {
      metadata: { name: compositeName([p.switch, p.label]) },
      spec: { switch: sw, interface: p.label },
    };
    const r = await im.ensure('Port', 'ports', hil, want, {
      owned: (cur) => (cur.spec as any)?.switch === sw && (cur.spec as any)?.interface === p.label,
    });
    if (r.entry.action !== 'skip') ports.set(portKey(p.switch, p.label), { name: want.metadata.name!, switch: sw });
  }

  // ---- networks -------------------------------------------------------------------------------------------------
  const networks = new Map<string, { name: string; vlan: number }>();
  for (const n of site.networks) {
    const vlan = /^\d{1,4}$/.test(n.networkId) ? Number(n.networkId) : NaN;
    if (!(vlan >= 1 && vlan <= 4094)) {
      im.skip(
        'Network',
        n.label,
        `network_id "${n.networkId}" is not a VLAN id (HIL's null allocator or a non-VLAN switch); networks here are VLANs`,
      );
      continue;
    }
    const owner = projectRef(n.owner);
    if (owner === undefined) {
      im.skip('Network', n.label, `its owner project ${n.owner} is not imported`);
      continue;
    }
    const access = n.access.filter((p) => p !== n.owner).flatMap((p) => projects.get(p) ?? []);
    const m = meta(n.label);
    const spec: Record<string, unknown> = { owner };
    if (access.length) spec.accessProjects = access.sort();
    if (n.owner === null && n.access.length === 0) spec.public = true;
    if (!n.allocated) spec.vlan = vlan;
    // A pool VLAN is held by the network's claim (the network controller keeps it); check before creating.
    if (n.allocated) {
      const claim = await im.get('leases', SYSTEM_NAMESPACE, claimName(vlan));
      const holder = claim?.metadata.labels?.[CLAIM_NETWORK_LABEL];
      const mine = await im.get('networks', '', m.name!);
      if (claim && (!mine || (claim.spec as any)?.holderIdentity !== mine.metadata.uid)) {
        im.skip('Network', n.label, `VLAN ${vlan} is already claimed here by network ${holder ?? '(unknown)'}`);
        continue;
      }
    }
    const want: Want = { metadata: m, spec };
    const r = await im.ensure('Network', 'networks', n.label, want);
    if (!r.object) continue;
    networks.set(n.label, { name: m.name!, vlan });
    if (o.dryRun) continue;
    const uid = r.object.metadata.uid!;
    if (n.allocated)
      await im.ensure(
        'Lease',
        'leases',
        `VLAN ${vlan} of network ${n.label}`,
        {
          metadata: {
            name: claimName(vlan),
            namespace: SYSTEM_NAMESPACE,
            labels: { [CLAIM_LABEL]: 'true', [CLAIM_NETWORK_LABEL]: m.name! },
          },
          spec: { holderIdentity: uid },
        },
        { namespace: SYSTEM_NAMESPACE, owned: (cur) => (cur.spec as any)?.holderIdentity === uid, keep: true },
      );
    if ((r.object.status as any)?.vlan !== vlan)
      await im.writeStatus('networks', m.name!, {
        vlan,
        observedGeneration: r.object.metadata.generation,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: n.allocated ? 'VlanAllocated' : 'ExplicitVlan',
            message: `VLAN ${vlan} (imported from HIL)`,
            lastTransitionTime: now(),
            observedGeneration: r.object.metadata.generation,
          },
        ],
      });
  }

  // ---- nodes ----------------------------------------------------------------------------------------------------
  const nodes = new Map<
    string,
    { name: string; nics: Map<string, { name: string; port?: { name: string; switch: string } }> }
  >();
  for (const n of site.nodes) {
    const obm: HilObm = n.obm;
    if (obm.kind === 'unknown') {
      im.skip('Node', n.label, `HIL OBM type "${obm.type}" has no driver here`);
      continue;
    }
    const project = projectRef(n.project);
    if (project === undefined) {
      im.skip('Node', n.label, `its project ${n.project} is not imported`);
      continue;
    }
    const m = meta(n.label);
    const name = m.name!;
    const secret = `${name}-obm`;
    const details: string[] = [];
    const nicNames: Record<string, string> = {};
    const nicMap = new Map<string, { name: string; port?: { name: string; switch: string } }>();
    const nics = n.nics.map((c) => {
      const nn = nicName(c.label);
      if (nn !== c.label) nicNames[nn] = c.label;
      const port = c.port ? ports.get(portKey(c.port.switch, c.port.label)) : undefined;
      if (c.port && !port) details.push(`NIC ${c.label}: port ${c.port.switch} ${c.port.label} is not imported`);
      if (c.mac !== null && !MAC.test(c.mac))
        details.push(`NIC ${c.label}: MAC "${c.mac}" is not a MAC address, left out`);
      nicMap.set(c.label, { name: nn, port });
      return {
        name: nn,
        ...(c.mac !== null && MAC.test(c.mac) ? { macAddress: c.mac.toLowerCase() } : {}),
        ...(port ? { port: port.name } : {}),
      };
    });
    if (Object.keys(nicNames).length)
      m.annotations = { ...m.annotations, [HIL_NIC_NAMES_ANNOTATION]: JSON.stringify(nicNames) };
    const metadata = Object.fromEntries(n.metadata.map((x) => [x.label, x.value ?? 'null']));
    const spec: Record<string, unknown> = {
      project,
      obm:
        obm.kind === 'obmd'
          ? obmdObm(obm.uri, secret)
          : {
              type: OBM_TYPES[obm.kind],
              host: obm.host,
              credentialsSecretRef: { name: secret, namespace: SYSTEM_NAMESPACE },
            },
      nics,
      ...(Object.keys(metadata).length ? { metadata } : {}),
    };
    if (obm.kind === 'obmd' && obm.enabled)
      details.push('HIL had its OBM enabled (a console token from obmd); it is not carried over: enable it again here');
    const want: Want = { metadata: m, spec };
    const r = await im.ensure('Node', 'nodes', n.label, want, { detail: details.join('; ') || undefined });
    if (r.entry.action === 'skip') continue;
    nodes.set(n.label, { name, nics: nicMap });
    const data: Record<string, string> =
      obm.kind === 'obmd'
        ? { username: 'admin', password: obm.adminToken }
        : { username: obm.user, password: obm.password };
    await im.ensure(
      'Secret',
      'secrets',
      `OBM credentials of node ${n.label}`,
      { metadata: { name: secret, namespace: SYSTEM_NAMESPACE }, type: 'Opaque', stringData: data },
      { namespace: SYSTEM_NAMESPACE, owned: secretOwned },
    );
  }

  // ---- attachments ----------------------------------------------------------------------------------------------
  for (const a of site.attachments) {
    const hil = `${a.node} ${a.nic} → ${a.network} (${a.channel})`;
    const node = nodes.get(a.node);
    const net = networks.get(a.network);
    const nic = node?.nics.get(a.nic);
    if (!node || !nic || !net) {
      im.skip(
        'NetworkAttachment',
        hil,
        `${!node ? `node ${a.node}` : !nic ? `NIC ${a.nic}` : `network ${a.network}`} is not imported`,
      );
      continue;
    }
    const channel = a.channel === 'vlan/native' ? 'native' : a.channel === `vlan/${net.vlan}` ? 'tagged' : undefined;
    if (!channel) {
      im.skip('NetworkAttachment', hil, `channel "${a.channel}" is not vlan/native or vlan/${net.vlan}`);
      continue;
    }
    const want: Want = {
      metadata: { name: compositeName([a.node, a.nic, a.network]) },
      spec: { node: node.name, nic: nic.name, network: net.name, channel },
    };
    const r = await im.ensure('NetworkAttachment', 'networkattachments', hil, want, {
      owned: (cur) => deepEqual(cur.spec, want.spec),
      detail: nic.port ? undefined : 'the NIC has no port: nothing is on a switch for it',
    });
    if (!r.object || !nic.port || (r.object.status as any)?.phase) continue;
    const gen = r.object.metadata.generation;
    await im.writeStatus('networkattachments', want.metadata.name!, {
      phase: 'Attached',
      switch: nic.port.switch,
      port: nic.port.name,
      vlan: net.vlan,
      observedGeneration: gen,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Imported',
          message: `in place on the switch when imported from HIL (VLAN ${net.vlan} ${channel === 'native' ? 'untagged' : 'tagged'})`,
          lastTransitionTime: now(),
          observedGeneration: gen,
        },
      ],
    });
  }
  for (const p of site.pendingActions)
    im.skip(
      'NetworkingAction',
      `${p.node} ${p.nic}`,
      `pending in HIL (${p.type}${p.network ? ` → ${p.network}` : ''}, ${p.channel}): let HIL's network daemon finish it and import again, or redo it here`,
    );

  // ---- headnodes ------------------------------------------------------------------------------------------------
  for (const h of site.headnodes) {
    const project = projects.get(h.project);
    if (!project) {
      im.skip('Headnode', h.label, `its project ${h.project} is not imported`);
      continue;
    }
    const lost = h.hnics.filter((x) => x.network !== null && !networks.has(x.network));
    const m = meta(h.label);
    const hnicNames = Object.fromEntries(
      h.hnics.filter((x) => nicName(x.label) !== x.label).map((x) => [nicName(x.label), x.label]),
    );
    if (Object.keys(hnicNames).length)
      m.annotations = { ...m.annotations, [HIL_HNIC_NAMES_ANNOTATION]: JSON.stringify(hnicNames) };
    const want: Want = {
      metadata: m,
      spec: {
        project,
        baseImage: h.baseImage,
        hnics: h.hnics.map((x) => ({
          name: nicName(x.label),
          ...(x.network !== null && networks.has(x.network) ? { network: networks.get(x.network)!.name } : {}),
        })),
        running: false,
      },
    };
    const details = [
      `HIL's VM headnode-${h.uuid} is not adopted: this Headnode gets its own VM cloned from ${h.baseImage}, powered off`,
      ...lost.map((x) => `hnic ${x.label}: network ${x.network} is not imported, left unconnected`),
    ];
    // Powered off when created (HIL keeps no power state); a headnode started here since stays as it is.
    const cur = await im.get('headnodes', '', want.metadata.name!);
    if (cur && hilNameOf(cur) === h.label) want.spec.running = (cur.spec as any)?.running ?? false;
    await im.ensure('Headnode', 'headnodes', h.label, want, { detail: details.join('; ') });
  }

  if (site.vlanPool?.length)
    im.notes.push(
      `HIL's VLAN pool: ${vlanRanges(site.vlanPool)} — set [hil.ext.network_allocators.vlan_pool] vlans = ${vlanRanges(site.vlanPool)} in hil.cfg`,
    );
  if (o.pauseSwitches !== false && switches.size)
    im.notes.push(
      `switches are imported paused (${PAUSED_ANNOTATION}=true): nothing is written to them until you resume each one (docs/migrating-from-hil.md)`,
    );
  return { entries: im.entries, notes: im.notes };
}
