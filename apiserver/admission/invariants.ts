// HIL's invariants, checked inside the write transaction for every caller (admins too): what would make the
// network unsafe or ambiguous is refused with a 409 (it collides with another object) or a 422 (the object
// itself breaks a rule). What refers to objects that do not exist yet is accepted — GitOps applies in any order —
// and left to the controllers to report.
import { projectMayUse } from '../../api/v1alpha1/access.js';
import { CLAIM_NETWORK_LABEL, claimName, SYSTEM_NAMESPACE } from '../../api/v1alpha1/vlan-claims.js';
import type { VlanSet } from '../../api/v1alpha1/vlans.js';
import { parseVlanList, VlanRangeError } from '../../api/v1alpha1/vlans.js';
import { ApiError, errors, type StatusCause } from '../errors.js';
import type { AdmissionPlugin } from '../handlers/resources.js';
import { deepEqual, specOf, type KObject } from '../object.js';
import type { ResourceType } from '../registry.js';
import type { StoredObject, StoreTx } from '../store/store.js';

const spec = specOf;

function conflict(t: ResourceType, name: string, message: string): ApiError {
  return new ApiError(409, 'Conflict', `${t.kind} "${name}": ${message}`, { name, group: t.group, kind: t.plural });
}

function invalid(t: ResourceType, name: string, field: string, message: string): ApiError {
  return errors.invalid(t.kind, t.group, name, [{ reason: 'FieldValueInvalid', message, field }]);
}

export interface InvariantOptions {
  /** The VLAN pool (hil.cfg [hil.ext.network_allocators.vlan_pool] vlans), if configured. */
  vlanPool?: VlanSet;
}

export function invariants(options: InvariantOptions = {}): AdmissionPlugin {
  return {
    name: 'invariants',
    async admit({ op, type: t, object, old, tx, subresource }) {
      if (op === 'delete' && old && !subresource && t.group === 'hil.io') {
        const gone = old.metadata.name!;
        switch (t.plural) {
          case 'projects':
            return checkProjectDelete(t, gone, tx);
          case 'ports':
            return checkPortDelete(t, gone, tx);
          case 'switches':
            return checkSwitchDelete(t, gone, tx);
          case 'nodes':
            return checkNodeDelete(t, gone, old);
        }
        return;
      }
      if (op === 'delete' || !object || subresource === 'status' || t.group !== 'hil.io') return;
      const name = object.metadata.name!;
      switch (t.plural) {
        case 'ports':
          return checkPort(t, name, object, tx);
        case 'nodes':
          return checkNode(t, name, object, old, tx);
        case 'networks':
          return checkNetwork(t, name, object, old, tx, options.vlanPool);
        case 'networkattachments':
          return checkAttachment(t, name, object, old, tx);
        case 'switches':
          return checkSwitch(t, name, object);
      }
    },
  };
}

async function checkPort(t: ResourceType, name: string, o: KObject, tx: StoreTx) {
  const { switch: sw, interface: iface } = spec(o);
  for (const p of await tx.list('hil.io/ports', { fieldEquals: { path: ['spec', 'switch'], value: String(sw) } })) {
    if (p.name !== name && spec(p.object).switch === sw && spec(p.object).interface === iface) {
      throw conflict(
        t,
        name,
        `interface "${iface}" of switch "${sw}" is already declared by Port "${p.name}" (one Port per switch interface)`,
      );
    }
  }
}

async function checkNode(t: ResourceType, name: string, o: KObject, old: KObject | undefined, tx: StoreTx) {
  const nics: { name: string; port?: string }[] = spec(o).nics ?? [];
  const causes: StatusCause[] = [];
  // Which address an OBM type needs: obmd is reached through its node URL, the others through the BMC's host.
  const obm = (spec(o).obm ?? {}) as { type?: string; host?: string; uri?: string };
  const needs = obm.type === 'obmd' ? 'uri' : 'host';
  if (!obm[needs])
    causes.push({
      reason: 'FieldValueRequired',
      message: `Required value: spec.obm.${needs} is required for OBM type "${obm.type}"`,
      field: `spec.obm.${needs}`,
    });
  const seen = new Map<string, string>();
  nics.forEach((nic, i) => {
    if (!nic.port) return;
    const other = seen.get(nic.port);
    if (other)
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: port "${nic.port}" is already the port of NIC "${other}"`,
        field: `spec.nics[${i}].port`,
      });
    seen.set(nic.port, nic.name);
  });
  if (causes.length) throw errors.invalid(t.kind, t.group, name, causes);
  // Only the nodes holding one of these ports (a lookup in the store's reference table: a scan of every node was
  // most of a node write's cost at 10,000 nodes).
  const candidates = new Map<string, StoredObject>();
  for (const port of seen.keys())
    for (const n of await tx.list('hil.io/nodes', { refersTo: { field: 'spec.nics.port', value: port } }))
      candidates.set(n.name, n);
  // In name order, as a list of every node would give them: the same conflict is reported first.
  for (const n of [...candidates.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (n.name === name) continue;
    for (const nic of (spec(n.object).nics ?? []) as { name: string; port?: string }[]) {
      if (nic.port && seen.has(nic.port)) {
        throw conflict(
          t,
          name,
          `port "${nic.port}" is already the port of NIC "${nic.name}" of node "${n.name}" (a port belongs to at most one NIC)`,
        );
      }
    }
  }
  for (const port of seen.keys()) {
    const p = await tx.get('hil.io/ports', '', port);
    const wasThere = ((spec(old).nics ?? []) as { port?: string }[]).some((n) => n.port === port);
    if (p?.object.metadata.deletionTimestamp && !wasThere)
      throw conflict(t, name, `port "${port}" is being deleted; it cannot be cabled to a NIC`);
  }
  const before = spec(old).project ?? '';
  const after = spec(o).project ?? '';
  if (old && before !== '' && after !== '' && before !== after) {
    // HIL's project_connect_node: "Node is already owned by a project". A release does what a move would skip.
    throw conflict(
      t,
      name,
      `is in project "${before}"; release it first (spec.project "") — a node moves to another project only through a release, which detaches it, powers it off and returns it to the free pool`,
    );
  }
  if (old && before !== '' && after !== '') {
    // HIL's node_delete_nic and port_detach_nic: a NIC of a node in a project keeps its cable.
    const now = new Map(nics.map((n) => [n.name, n.port]));
    for (const was of (spec(old).nics ?? []) as { name: string; port?: string }[]) {
      if (!was.port) continue;
      if (!now.has(was.name))
        throw conflict(
          t,
          name,
          `NIC "${was.name}" cannot be removed while the node is in project "${before}"; release the node first`,
        );
      if (now.get(was.name) !== was.port) {
        throw conflict(
          t,
          name,
          `NIC "${was.name}" cannot be moved off port "${was.port}" while the node is in project "${before}"; release the node first`,
        );
      }
    }
  }
  if (old && before !== '' && before !== after) {
    const attached = (
      await tx.list('hil.io/networkattachments', { fieldEquals: { path: ['spec', 'node'], value: name } })
    )
      .filter((a) => spec(a.object).node === name)
      .map((a) => a.name);
    if (attached.length) {
      throw conflict(
        t,
        name,
        `cannot leave project "${before}" while it has network attachments (${attached.join(', ')}); delete them first`,
      );
    }
  }
}

async function checkNetwork(
  t: ResourceType,
  name: string,
  o: KObject,
  old: KObject | undefined,
  tx: StoreTx,
  pool?: VlanSet,
) {
  const s = spec(o);
  const owner = s.owner ?? '';
  if (old) {
    if ((spec(old).owner ?? '') !== owner)
      throw invalid(t, name, 'spec.owner', `Invalid value: ${JSON.stringify(owner)}: field is immutable`);
    if (spec(old).vlan !== s.vlan)
      throw invalid(t, name, 'spec.vlan', `Invalid value: ${JSON.stringify(s.vlan ?? null)}: field is immutable`);
  }
  if (owner !== '') {
    if (s.public === true)
      throw invalid(t, name, 'spec.public', 'Invalid value: true: a project-owned network cannot be public');
    if (s.vlan !== undefined) {
      throw invalid(
        t,
        name,
        'spec.vlan',
        `Invalid value: ${s.vlan}: a project-owned network gets its VLAN from the pool; only admin-owned networks (spec.owner "") may name one`,
      );
    }
  }
  if (old) await checkAccessKept(t, name, old, o, tx);
  if (s.vlan === undefined || old) return;
  const vlan = Number(s.vlan);
  for (const n of await tx.list('hil.io/networks')) {
    if (n.name === name) continue;
    const theirs = spec(n.object).vlan ?? (n.object.status as any)?.vlan;
    if (theirs === vlan) throw conflict(t, name, `VLAN ${vlan} is already used by network "${n.name}"`);
  }
  // A pool network's claim exists before its status.vlan is written: the claim alone makes the VLAN taken.
  const claim = await tx.get('coordination.k8s.io/leases', SYSTEM_NAMESPACE, claimName(vlan));
  if (claim && (claim.object.spec as any)?.holderIdentity !== o.metadata.uid) {
    const holder = claim.object.metadata.labels?.[CLAIM_NETWORK_LABEL];
    throw conflict(
      t,
      name,
      `VLAN ${vlan} is already allocated from the pool${holder ? ` to network "${holder}"` : ''}`,
    );
  }
  const ranges: { name: string; set: VlanSet }[] = [];
  for (const sw of await tx.list('hil.io/switches')) {
    const r = spec(sw.object).vlanRange;
    if (Array.isArray(r) && r.length) {
      try {
        ranges.push({ name: sw.name, set: parseVlanList(r) });
      } catch {
        /* an invalid range was refused when the switch was written */
      }
    }
  }
  if (!pool && !ranges.length) return;
  if (pool?.has(vlan) || ranges.some((r) => r.set.has(vlan))) return;
  const where = [
    pool ? `the VLAN pool (${pool.toString()})` : '',
    ...ranges.map((r) => `switch "${r.name}" (${r.set.toString()})`),
  ].filter(Boolean);
  throw invalid(t, name, 'spec.vlan', `Invalid value: ${vlan}: not in ${where.join(' nor in ')}`);
}

async function checkAttachment(t: ResourceType, name: string, o: KObject, old: KObject | undefined, tx: StoreTx) {
  const s = spec(o);
  if (old) {
    if (!deepEqual(spec(old), s))
      throw invalid(
        t,
        name,
        'spec',
        'Invalid value: a network attachment cannot be changed; delete it and create another',
      );
    return;
  }
  const node = await tx.get('hil.io/nodes', '', s.node);
  if (node) {
    const nspec = spec(node.object);
    if (!(nspec.nics ?? []).some((n: { name: string }) => n.name === s.nic)) {
      throw invalid(
        t,
        name,
        'spec.nic',
        `Invalid value: ${JSON.stringify(s.nic)}: node "${s.node}" has no NIC of that name`,
      );
    }
    if (!nspec.project)
      throw conflict(
        t,
        name,
        `node "${s.node}" is not in a project; claim it for a project before attaching it to a network`,
      );
  }
  const network = await tx.get('hil.io/networks', '', String(s.network));
  if (network?.object.metadata.deletionTimestamp) {
    // Its VLAN is about to be freed (and may go to another project's network): nothing new may land on it.
    throw conflict(t, name, `network "${s.network}" is being deleted; it takes no new attachments`);
  }
  for (const a of await tx.list('hil.io/networkattachments', {
    fieldEquals: { path: ['spec', 'node'], value: String(s.node) },
  })) {
    const as = spec(a.object);
    if (a.name === name || as.node !== s.node || as.nic !== s.nic) continue;
    if (as.network === s.network) {
      throw conflict(
        t,
        name,
        `NIC "${s.nic}" of node "${s.node}" is already attached to network "${s.network}" by NetworkAttachment "${a.name}"`,
      );
    }
    if ((s.channel ?? 'native') === 'native' && (as.channel ?? 'native') === 'native') {
      throw conflict(
        t,
        name,
        `NIC "${s.nic}" of node "${s.node}" already has a native network, "${as.network}" (NetworkAttachment "${a.name}")`,
      );
    }
  }
}

/**
 * HIL's network_revoke_project_access: a project keeps its access while its nodes are attached to the network or
 * its headnodes are on it ("Project still has node(s) attached to the network"). Making a public network private
 * is a revoke for every project that used it.
 */
async function checkAccessKept(t: ResourceType, name: string, old: KObject, o: KObject, tx: StoreTx) {
  const was = spec(old);
  const now = spec(o);
  const losing = (project: string) => projectMayUse(was, project) && !projectMayUse(now, project);
  const attachments = (
    await tx.list('hil.io/networkattachments', { fieldEquals: { path: ['spec', 'network'], value: name } })
  ).filter((a) => spec(a.object).network === name);
  const blocked = new Map<string, string[]>();
  const hold = (project: string, what: string) => blocked.set(project, [...(blocked.get(project) ?? []), what]);
  for (const a of attachments) {
    const node = await tx.get('hil.io/nodes', '', String(spec(a.object).node));
    const project = spec(node?.object).project ?? '';
    if (losing(project)) hold(project, `NetworkAttachment "${a.name}" (node "${spec(a.object).node}")`);
  }
  for (const h of await tx.list('hil.io/headnodes')) {
    const project = spec(h.object).project ?? '';
    if (losing(project) && ((spec(h.object).hnics ?? []) as { network?: string }[]).some((x) => x.network === name))
      hold(project, `Headnode "${h.name}"`);
  }
  if (!blocked.size) return;
  const list = [...blocked].map(
    ([p, what]) =>
      `project "${p}": ${what.slice(0, 5).join(', ')}${what.length > 5 ? `, … (${what.length} in all)` : ''}`,
  );
  throw conflict(
    t,
    name,
    `cannot revoke access while the project still uses the network (${list.join('; ')}); detach them first`,
  );
}

/** HIL's switch_delete_port: "Port is attached to a nic; please detach it first". */
async function checkPortDelete(t: ResourceType, name: string, tx: StoreTx) {
  for (const n of await tx.list('hil.io/nodes', { refersTo: { field: 'spec.nics.port', value: name } })) {
    const nic = ((spec(n.object).nics ?? []) as { name: string; port?: string }[]).find((x) => x.port === name);
    if (nic)
      throw conflict(
        t,
        name,
        `is cabled to NIC "${nic.name}" of node "${n.name}"; remove the port from the node's spec.nics first`,
      );
  }
}

/** HIL's switch_delete: "Switch has ports; delete them first". */
async function checkSwitchDelete(t: ResourceType, name: string, tx: StoreTx) {
  const ports = (await tx.list('hil.io/ports', { fieldEquals: { path: ['spec', 'switch'], value: name } }))
    .filter((p) => spec(p.object).switch === name)
    .map((p) => p.name);
  if (ports.length) {
    throw conflict(
      t,
      name,
      `has ${ports.length} Port(s) still (${ports.slice(0, 10).join(', ')}${ports.length > 10 ? ', …' : ''}); delete them first — each is reverted on the switch before it goes`,
    );
  }
}

/** HIL's node_delete: "Node is part of project; remove from project before deleting". */
function checkNodeDelete(t: ResourceType, name: string, old: KObject) {
  const project = spec(old).project ?? '';
  if (project) throw conflict(t, name, `is in project "${project}"; release it (spec.project "") before deleting it`);
}

/** HIL's project_delete: refused while the project has nodes, owns networks, may use others' or has headnodes. */
async function checkProjectDelete(t: ResourceType, name: string, tx: StoreTx) {
  const uses = async (resource: string, path: string[]) =>
    (await tx.list(resource, { fieldEquals: { path, value: name } })).map((o) => o.name);
  const held: string[] = [];
  const say = (what: string, names: string[]) => {
    if (names.length)
      held.push(`${what} ${names.slice(0, 10).join(', ')}${names.length > 10 ? `, … (${names.length} in all)` : ''}`);
  };
  say('nodes', await uses('hil.io/nodes', ['spec', 'project']));
  say('networks it owns:', await uses('hil.io/networks', ['spec', 'owner']));
  say(
    'access to networks',
    (await tx.list('hil.io/networks'))
      .filter((n) => (spec(n.object).accessProjects ?? []).includes(name))
      .map((n) => n.name),
  );
  say('headnodes', await uses('hil.io/headnodes', ['spec', 'project']));
  if (held.length)
    throw conflict(
      t,
      name,
      `cannot be deleted while it still has ${held.join('; ')}; release, delete or revoke them first`,
    );
}

function checkSwitch(t: ResourceType, name: string, o: KObject) {
  const r = spec(o).vlanRange;
  if (!Array.isArray(r)) return;
  r.forEach((entry: string, i: number) => {
    try {
      parseVlanList([entry]);
    } catch (err) {
      if (err instanceof VlanRangeError)
        throw invalid(t, name, `spec.vlanRange[${i}]`, `Invalid value: ${JSON.stringify(entry)}: ${err.message}`);
      throw err;
    }
  });
}
