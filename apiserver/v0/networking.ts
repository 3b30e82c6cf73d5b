// v0 networks and node networking (hil/api.py: network_create, network_delete, show_network, list_networks,
// network_grant_project_access, network_revoke_project_access, node_connect_network, node_detach_network,
// show_networking_action, port_revert) on Network and NetworkAttachment.
//
// HIL's networking actions: node_connect_network creates a NetworkAttachment and answers 202 with its uid as the
// status_id; node_detach_network deletes it (the switch controller reverts the port, then the object goes) and
// answers a fresh status_id. Each NIC's latest action is recorded on its Node (annotation
// hil.io/v0-networking-actions, one entry per NIC, as HIL keeps one action row per NIC), and its status is read off
// the attachment: PENDING until the switch carries it (or, for a detach, until it is gone), DONE, or ERROR when
// the switch refused it. So the status lives in the store and survives a restart. port_revert deletes every
// attachment of the port's NIC at once; its action is PENDING until all of them are gone.
import { randomUUID } from 'node:crypto';
import { networkAccessibleBy } from '../auth/authz.js';
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hil, NO_PROJECT_ACCESS } from './errors.js';
import { compositeName, hilNameOf } from './names.js';
import { mustFindNic, nicLabel } from './nodes.js';
import { cabledTo, mustFindPort } from './switches.js';
import type { V0Session } from './session.js';
import type { Call } from './transport.js';
import { channelOf, inPlace, vlanOf } from './views.js';

export const ACTIONS_ANNOTATION = 'hil.io/v0-networking-actions';

interface ActionRecord {
  id: string;
  kind: 'connect' | 'detach' | 'revert';
  /** The attachment the action is about (name and uid). */
  attachment: string;
  uid: string;
  /** Network resource name (connect) — HIL's new_network; null for a detach. */
  network: string | null;
  channel: string;
  /** revert: every attachment it deletes, name → uid. */
  removed?: Record<string, string>;
}

function actionsOf(node: KObject): Record<string, ActionRecord> {
  try {
    const v = JSON.parse(node.metadata.annotations?.[ACTIONS_ANNOTATION] ?? '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/** Records a NIC's latest action on its node (written by the v0 layer itself: bookkeeping, not the caller's change). */
async function recordAction(s: V0Session, nodeName: string, nic: string, rec: ActionRecord): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const node = await s.get('nodes', nodeName);
    if (!node) return;
    const all = { ...actionsOf(node), [nic]: rec };
    try {
      await s.patch(
        'nodes',
        nodeName,
        { metadata: { annotations: { [ACTIONS_ANNOTATION]: JSON.stringify(all) } } },
        { resourceVersion: node.metadata.resourceVersion, asSystem: true },
      );
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt >= 4) throw err;
    }
  }
}

/** Whether a NIC has an action under way: an attachment not yet carried (or refused) by the switch, or one being detached. */
function pending(att: KObject): boolean {
  if (att.metadata.deletionTimestamp) return true;
  const phase = (att.status as any)?.phase;
  return phase !== 'Attached' && phase !== 'Failed';
}

function statusOf(rec: ActionRecord, att: KObject | undefined): 'PENDING' | 'DONE' | 'ERROR' {
  const same = att && att.metadata.uid === rec.uid ? att : undefined;
  if (rec.kind === 'detach') return same ? 'PENDING' : 'DONE';
  if (!same) return 'DONE';
  if (same.metadata.deletionTimestamp) return 'DONE';
  const phase = (same.status as any)?.phase;
  return phase === 'Attached' ? 'DONE' : phase === 'Failed' ? 'ERROR' : 'PENDING';
}

async function nodeAndNicAttachments(s: V0Session, node: KObject, nic: string): Promise<KObject[]> {
  return (await s.list('networkattachments', { path: ['spec', 'node'], value: node.metadata.name! })).filter(
    (a) => specOf(a).nic === nic,
  );
}

/** HIL's access list: the owner (of a project-owned network) and the projects granted access; null when public. */
async function accessOf(s: V0Session, net: KObject): Promise<string[] | null> {
  const sp = specOf(net);
  if (sp.public === true) return null;
  const names = [...new Set([sp.owner, ...(sp.accessProjects ?? [])].filter((p): p is string => !!p))];
  return (await Promise.all(names.map((p) => s.hilNameOfRef('projects', p)))).sort();
}

function projectsOf(net: KObject): string[] {
  const sp = specOf(net);
  return [sp.owner, ...(sp.accessProjects ?? [])].filter((p): p is string => !!p);
}

/** A network's attachments in place (show_network, list_network_attachments), each with its node. */
async function attachedNodes(s: V0Session, net: KObject): Promise<{ att: KObject; node: KObject }[]> {
  const out: { att: KObject; node: KObject }[] = [];
  for (const att of await s.list('networkattachments', { path: ['spec', 'network'], value: net.metadata.name! })) {
    if (!inPlace(att)) continue;
    const node = await s.get('nodes', String(specOf(att).node));
    if (node) out.push({ att, node });
  }
  return out;
}

export const networkCalls: Call[] = [
  {
    name: 'network_create',
    method: 'PUT',
    path: '/network/:network',
    args: { owner: 'string', access: 'string', net_id: 'string' },
    async run(s, a) {
      await s.checkFree('networks', 'Network', a.network);
      const spec: Record<string, unknown> = {};
      if (a.owner !== 'admin') {
        const owner = await s.mustFind('projects', 'Project', a.owner);
        s.requireAccess(owner.metadata.name);
        if (a.access !== a.owner) throw hil.badArgument('Project-owned networks must be accessible by the owner.');
        if (a.net_id !== '') throw hil.badArgument('Project-owned networks must use network ID allocation');
        spec.owner = owner.metadata.name;
      } else {
        s.requireAdmin();
        spec.owner = '';
        if (a.access === '') spec.public = true;
        else spec.accessProjects = [(await s.mustFind('projects', 'Project', a.access)).metadata.name];
        if (a.net_id !== '') {
          const n = /^\d+$/.test(a.net_id) ? Number(a.net_id) : NaN;
          if (!(n >= 1 && n <= 4094)) throw hil.badArgument('Invalid net_id');
          spec.vlan = n;
        }
      }
      await s.create('networks', { kind: 'Network', metadata: s.metadataFor(a.network), spec });
    },
  },
  {
    name: 'network_delete',
    method: 'DELETE',
    path: '/network/:network',
    async run(s, a) {
      const net = await s.mustFind('networks', 'Network', a.network);
      s.requireAccess(specOf(net).owner || null);
      const name = net.metadata.name!;
      if ((await s.list('networkattachments', { path: ['spec', 'network'], value: name })).length)
        throw hil.blocked('Network still connected to nodes');
      const headnodes = await s.list('headnodes');
      if (headnodes.some((h) => ((specOf(h).hnics ?? []) as { network?: string }[]).some((x) => x.network === name)))
        throw hil.blocked('Network still connected to headnodes');
      await s.removeAndWait('networks', net);
    },
  },
  {
    name: 'show_network',
    method: 'GET',
    path: '/network/:network',
    async run(s, a) {
      const net = await s.mustFind('networks', 'Network', a.network);
      const sp = specOf(net);
      if (sp.public !== true && !s.isAdmin && !projectsOf(net).some((p) => s.hasAccess(p)))
        throw hil.unauthorized('You do not have access to this network.');
      const vlan = vlanOf(net);
      const connected: Record<string, string[]> = {};
      const ownerAccess = s.hasAccess(sp.owner || null);
      for (const { att, node } of await attachedNodes(s, net)) {
        if (!(ownerAccess || s.hasAccess(specOf(node).project || null))) continue;
        (connected[hilNameOf(node)] ??= []).push(nicLabel(node, String(specOf(att).nic)));
      }
      return {
        body: {
          name: a.network,
          owner: sp.owner ? await s.hilNameOfRef('projects', sp.owner) : 'admin',
          access: await accessOf(s, net),
          channels: vlan === undefined ? ['vlan/native'] : ['vlan/native', `vlan/${vlan}`],
          'connected-nodes': connected,
        },
      };
    },
  },
  {
    // HIL's rules: the network's owner (admins for an admin-owned network) sees every attachment; with ?project=P,
    // a member of P sees P's nodes if P is in the access list. One entry per node (HIL keeps the last NIC).
    name: 'list_network_attachments',
    method: 'GET',
    path: '/network/:network/attachments',
    args: { project: 'string?' },
    async run(s, a) {
      const net = await s.mustFind('networks', 'Network', a.network);
      const sp = specOf(net);
      const ownerAccess = s.hasAccess(sp.owner || null);
      let project: string | undefined;
      if (a.project === undefined) {
        if (!ownerAccess)
          throw hil.unauthorized("Operation requires admin rights or access to network's owning project");
      } else {
        project = (await s.mustFind('projects', 'Project', a.project)).metadata.name!;
        if (!ownerAccess && !((sp.accessProjects ?? []).includes(project) && s.hasAccess(project)))
          throw hil.unauthorized('You do not have access to this project.');
      }
      const out: Record<string, { nic: string; channel: string; project: string | null }> = {};
      for (const { att, node } of await attachedNodes(s, net)) {
        const nodeProject: string | undefined = specOf(node).project || undefined;
        if (project !== undefined && nodeProject !== project) continue;
        out[hilNameOf(node)] = {
          nic: nicLabel(node, String(specOf(att).nic)),
          channel: channelOf(att, net),
          project: nodeProject ? await s.hilNameOfRef('projects', nodeProject) : null,
        };
      }
      return { body: out };
    },
  },
  {
    name: 'list_networks',
    method: 'GET',
    path: '/networks',
    async run(s) {
      const out: Record<string, { network_id: string; projects: string[] | null }> = {};
      for (const net of await s.list('networks')) {
        if (!s.isAdmin && specOf(net).public !== true) continue;
        const vlan = vlanOf(net);
        out[hilNameOf(net)] = { network_id: vlan === undefined ? '' : String(vlan), projects: await accessOf(s, net) };
      }
      return {
        body: Object.fromEntries(
          Object.keys(out)
            .sort()
            .map((k) => [k, out[k]]),
        ),
      };
    },
  },
  {
    name: 'network_grant_project_access',
    method: 'PUT',
    path: '/network/:network/access/:project',
    async run(s, a) {
      const net = await s.mustFind('networks', 'Network', a.network);
      const p = await s.mustFind('projects', 'Project', a.project);
      const sp = specOf(net);
      s.requireAccess(sp.owner || null);
      const project = p.metadata.name!;
      if (sp.public !== true && projectsOf(net).includes(project))
        throw hil.duplicate(`Network ${a.network} is already in project ${a.project}`);
      // In HIL an empty access list means public, so a grant on a public network makes it restricted.
      await s.patchFound('networks', net, {
        spec: { public: false, accessProjects: [...(sp.accessProjects ?? []), project] },
      });
    },
  },
  {
    name: 'network_revoke_project_access',
    method: 'DELETE',
    path: '/network/:network/access/:project',
    async run(s, a) {
      const net = await s.mustFind('networks', 'Network', a.network);
      const p = await s.mustFind('projects', 'Project', a.project);
      const sp = specOf(net);
      const project = p.metadata.name!;
      const inAccess = sp.public !== true && projectsOf(net).includes(project);
      if (sp.public !== true && !(s.hasAccess(sp.owner || null) || (inAccess && s.hasAccess(project))))
        throw hil.unauthorized(NO_PROJECT_ACCESS);
      if (!inAccess) throw hil.notFound(`Network '${a.network}' is not in project '${a.project}'`);
      if (sp.owner === project)
        throw hil.blocked(`Project '${a.project}' is owner of network '${a.network}' and its access cannot be removed`);
      for (const att of await s.list('networkattachments', { path: ['spec', 'network'], value: net.metadata.name! })) {
        const node = await s.get('nodes', String(specOf(att).node));
        if (specOf(node).project === project) throw hil.blocked('Project still has node(s) attached to the network');
      }
      for (const h of await s.list('headnodes', { path: ['spec', 'project'], value: project })) {
        if (((specOf(h).hnics ?? []) as { network?: string }[]).some((x) => x.network === net.metadata.name))
          throw hil.blocked('Project still has headnode(s) attached to the network');
      }
      await s.patchFound('networks', net, {
        spec: { accessProjects: (sp.accessProjects ?? []).filter((x: string) => x !== project) },
      });
    },
  },
  {
    name: 'node_connect_network',
    method: 'POST',
    path: '/node/:node/nic/:nic/connect_network',
    args: { network: 'string', channel: 'string?' },
    async run(s, a) {
      const node = await s.mustFind('nodes', 'Node', a.node);
      const nic = mustFindNic(node, a.nic);
      const net = await s.mustFind('networks', 'Network', a.network);
      const project = specOf(node).project;
      if (!project) throw hil.projectMismatch('Node not in project');
      s.requireAccess(project);
      if (!nic.port) throw hil.notFound('No port is connected to given nic.');
      const mine = await nodeAndNicAttachments(s, node, nic.name);
      if (mine.some(pending)) throw hil.blocked('A networking operation is already active on the nic.');
      if (!networkAccessibleBy(net, project))
        throw hil.projectMismatch('Project does not have access to given network.');
      if (mine.some((x) => specOf(x).network === net.metadata.name))
        throw hil.blocked('The network is already attached to the nic.');
      const channel: string = a.channel ?? 'vlan/native';
      const vlan = vlanOf(net);
      const kind =
        channel === 'vlan/native' ? 'native' : vlan !== undefined && channel === `vlan/${vlan}` ? 'tagged' : undefined;
      if (!kind) throw hil.badArgument(`Channel '${channel}', is not legal for this network.`);
      if (kind === 'native' && mine.some((x) => (specOf(x).channel ?? 'native') === 'native'))
        throw hil.blocked('The channel is already in use on the nic.');
      const att = await s.create('networkattachments', {
        kind: 'NetworkAttachment',
        metadata: { name: compositeName([hilNameOf(node), a.nic, hilNameOf(net)]) },
        spec: { node: node.metadata.name, nic: nic.name, network: net.metadata.name, channel: kind },
      });
      const id = att.metadata.uid!;
      await recordAction(s, node.metadata.name!, nic.name, {
        id,
        kind: 'connect',
        attachment: att.metadata.name!,
        uid: id,
        network: net.metadata.name!,
        channel,
      });
      return { code: 202, body: { status_id: id } };
    },
  },
  {
    name: 'node_detach_network',
    method: 'POST',
    path: '/node/:node/nic/:nic/detach_network',
    args: { network: 'string' },
    async run(s, a) {
      const node = await s.mustFind('nodes', 'Node', a.node);
      const net = await s.mustFind('networks', 'Network', a.network);
      const nic = mustFindNic(node, a.nic);
      const project = specOf(node).project;
      if (!project) throw hil.projectMismatch('Node not in project');
      s.requireAccess(project);
      const mine = await nodeAndNicAttachments(s, node, nic.name);
      if (mine.some(pending)) throw hil.blocked('A networking operation is already active on the nic.');
      const att = mine.find((x) => specOf(x).network === net.metadata.name);
      if (!att) throw hil.badArgument('The network is not attached to the nic.');
      await s.remove('networkattachments', att.metadata.name!);
      const id = randomUUID();
      await recordAction(s, node.metadata.name!, nic.name, {
        id,
        kind: 'detach',
        attachment: att.metadata.name!,
        uid: att.metadata.uid!,
        network: null,
        channel: channelOf(att, net),
      });
      return { code: 202, body: { status_id: id } };
    },
  },
  {
    name: 'show_networking_action',
    method: 'GET',
    path: '/networking_action/:status_id',
    async run(s, a) {
      let found: { node: KObject; nic: string; rec: ActionRecord } | undefined;
      for (const node of await s.list('nodes')) {
        for (const [nic, rec] of Object.entries(actionsOf(node)))
          if (rec.id === a.status_id) found = { node, nic, rec };
      }
      if (!found) {
        // An attachment made through the resource API (or whose record was not written): its uid is its connect action.
        const att = (await s.list('networkattachments')).find((x) => x.metadata.uid === a.status_id);
        const node = att ? await s.get('nodes', String(specOf(att).node)) : undefined;
        if (att && node) {
          const net = await s.get('networks', String(specOf(att).network));
          const rec: ActionRecord = {
            id: a.status_id,
            kind: 'connect',
            attachment: att.metadata.name!,
            uid: att.metadata.uid!,
            network: String(specOf(att).network),
            channel: channelOf(att, net),
          };
          const latest = actionsOf(node)[String(specOf(att).nic)];
          // …unless it is being (or was) detached: that newer action replaced it.
          if (!(latest?.kind === 'detach' && latest.uid === att.metadata.uid))
            found = { node, nic: String(specOf(att).nic), rec };
        }
      }
      if (!found) throw hil.notFound('status_id not found');
      const { node, nic, rec } = found;
      s.requireAccess(specOf(node).project || null);
      let status: 'PENDING' | 'DONE' | 'ERROR' = 'DONE';
      if (rec.kind === 'revert') {
        for (const [name, uid] of Object.entries(rec.removed ?? {}))
          if ((await s.get('networkattachments', name))?.metadata.uid === uid) status = 'PENDING';
      } else status = statusOf(rec, await s.get('networkattachments', rec.attachment));
      return {
        body: {
          status,
          node: hilNameOf(node),
          nic: nicLabel(node, nic),
          type: rec.kind === 'revert' ? 'revert_port' : 'modify_port',
          channel: rec.channel,
          new_network: rec.network ? await s.hilNameOfRef('networks', rec.network) : null,
        },
      };
    },
  },
  {
    // HIL answers 200 here (not 202 as for the node calls) with the status_id.
    name: 'port_revert',
    method: 'POST',
    path: '/switch/:switch/port/:port+/revert',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const port = await mustFindPort(s, sw, a.port);
      const cable = await cabledTo(s, port);
      if (!cable) throw hil.notFound(`${a.port} not attached`);
      const mine = await nodeAndNicAttachments(s, cable.node, cable.nic);
      if (mine.some(pending)) throw hil.blocked('A networking operation is already active on the nic.');
      const removed: Record<string, string> = {};
      for (const att of mine) {
        await s.remove('networkattachments', att.metadata.name!);
        removed[att.metadata.name!] = att.metadata.uid!;
      }
      const id = randomUUID();
      await recordAction(s, cable.node.metadata.name!, cable.nic, {
        id,
        kind: 'revert',
        attachment: '',
        uid: '',
        network: null,
        channel: '',
        removed,
      });
      return { body: { status_id: id } };
    },
  },
];
