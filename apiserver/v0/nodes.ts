// v0 nodes and NICs (hil/api.py: node_register, node_delete, show_node, list_nodes, node_register_nic,
// node_delete_nic) on Node (+ its OBM credentials Secret).
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hil } from './errors.js';
import { hilNameOf, hilNicLabels, nicLabelsPatch, nicName } from './names.js';
import { SYSTEM_NAMESPACE, type V0Session } from './session.js';
import type { Call } from './transport.js';
import { showNodeNetworks, sortKeys } from './views.js';

export function nicLabel(node: KObject, nic: string): string {
  return hilNicLabels(node).get(nic) ?? nic;
}

/** The NIC of a node a HIL label names, or 404 as HIL words it. */
export function mustFindNic(node: KObject, label: string): { name: string; port?: string; macAddress?: string } {
  const nic = ((specOf(node).nics ?? []) as { name: string; port?: string; macAddress?: string }[]).find(
    (n) => n.name === nicName(label) && nicLabel(node, n.name) === label,
  );
  if (!nic) throw hil.notFound(`Nic ${label} on Node ${hilNameOf(node)} does not exist.`);
  return nic;
}

/** HIL's OBM types (the tail of `http://schema.massopencloud.org/haas/v0/obm/<x>`): ours; `hil.ext.obm.<x>` provides each. */
export const OBM_TYPES: Record<string, string> = { ipmi: 'ipmi', mock: 'mock' };

/**
 * node_register's OBM, checked as HIL's schema checks it (a ValidationError before authentication), as the Node's
 * spec.obm and the credentials Secret's data. obmd (HIL ≥ 0.4): the node URL on obmd and its admin token (HTTP
 * basic `admin:<token>` to obmd); the node starts with its OBM disabled, as HIL's does (no node token yet).
 * The older `obm` body: HIL's OBM type URL, host, user and password.
 */
function obmArgs(
  obmd: Record<string, unknown> | undefined,
  legacy: unknown,
): { spec: Record<string, unknown>; credentials: Record<string, string>; badType?: string } {
  if (obmd) {
    const keys = Object.keys(obmd).sort().join(',');
    if (keys !== 'admin_token,uri' || typeof obmd.uri !== 'string' || typeof obmd.admin_token !== 'string')
      throw hil.validation();
    let scheme = '';
    try {
      scheme = new URL(obmd.uri).protocol;
    } catch {
      /* not a URL: refused below */
    }
    if (scheme !== 'http:' && scheme !== 'https:') throw hil.validation();
    return {
      spec: { type: 'obmd', uri: obmd.uri, enabled: false },
      credentials: { username: 'admin', password: obmd.admin_token },
    };
  }
  const obm = legacy as Record<string, unknown>;
  const keys = Object.keys(obm).sort().join(',');
  if (keys !== 'host,password,type,user' || Object.values(obm).some((v) => typeof v !== 'string'))
    throw hil.validation();
  const type = OBM_TYPES[String(obm.type).split('/').pop() ?? ''];
  return {
    // An unknown type is a BadArgumentError, after the admin check.
    ...(type ? {} : { badType: `${JSON.stringify(obm.type)} is not a valid OBM type.` }),
    spec: { type, host: obm.host },
    credentials: { username: String(obm.user), password: String(obm.password) },
  };
}

async function showNode(s: V0Session, hilName: string): Promise<unknown> {
  const node = await s.mustFind('nodes', 'Node', hilName);
  const project = specOf(node).project || null;
  if (project) s.requireAccess(project);
  const nics = [];
  for (const nic of (specOf(node).nics ?? []) as { name: string; port?: string; macAddress?: string }[]) {
    const out: Record<string, unknown> = {
      label: nicLabel(node, nic.name),
      macaddr: nic.macAddress ?? null,
      networks: await showNodeNetworks(s, node, nic.name),
    };
    if (s.isAdmin) {
      const port = nic.port ? await s.get('ports', nic.port) : undefined;
      out.port = port ? String(specOf(port).interface) : null;
      out.switch = port ? await s.hilNameOfRef('switches', String(specOf(port).switch)) : null;
    }
    nics.push(sortKeys(out));
  }
  const metadata: Record<string, string> = { ...(specOf(node).metadata ?? {}) };
  return sortKeys({
    metadata: sortKeys(metadata),
    name: hilNameOf(node),
    nics,
    project: project ? await s.hilNameOfRef('projects', project) : null,
  });
}

export const nodeCalls: Call[] = [
  {
    name: 'node_register',
    method: 'PUT',
    path: '/node/:node',
    args: { obm: 'object?', obmd: 'object?', metadata: 'object?' },
    async run(s, a) {
      if ((a.obm === undefined) === (a.obmd === undefined)) throw hil.validation();
      const obm = obmArgs(a.obmd !== undefined ? (a.obmd as Record<string, unknown>) : undefined, a.obm);
      s.requireAdmin();
      if (obm.badType) throw hil.badArgument(obm.badType);
      await s.checkFree('nodes', 'Node', a.node);
      const metadata: Record<string, string> = {};
      for (const [k, v] of Object.entries((a.metadata ?? {}) as Record<string, unknown>))
        metadata[k] = JSON.stringify(v);
      const meta = s.metadataFor(a.node);
      const secret = `${meta.name}-obm`;
      await s.removeIfPresent('secrets', secret);
      await s.create('secrets', {
        kind: 'Secret',
        metadata: { name: secret, namespace: SYSTEM_NAMESPACE },
        type: 'Opaque',
        stringData: obm.credentials,
      });
      try {
        await s.create('nodes', {
          kind: 'Node',
          metadata: meta,
          spec: {
            project: '',
            obm: { ...obm.spec, credentialsSecretRef: { name: secret, namespace: SYSTEM_NAMESPACE } },
            nics: [],
            ...(Object.keys(metadata).length ? { metadata } : {}),
          },
        });
      } catch (err) {
        await s.removeIfPresent('secrets', secret);
        throw err;
      }
    },
  },
  {
    name: 'node_delete',
    method: 'DELETE',
    path: '/node/:node',
    async run(s, a) {
      s.requireAdmin();
      const node = await s.mustFind('nodes', 'Node', a.node);
      const project = specOf(node).project;
      if (project)
        throw hil.blocked(
          `Node '${a.node}' is part of project '${await s.hilNameOfRef('projects', project)}'; remove from project before deleting`,
        );
      if ((specOf(node).nics ?? []).length)
        throw hil.blocked(`Node '${a.node}' has nics; remove them before deleting '${a.node}'.`);
      await s.remove('nodes', node.metadata.name!);
      const ref = specOf(node).obm?.credentialsSecretRef;
      if (ref?.name === `${node.metadata.name}-obm` && (ref.namespace ?? SYSTEM_NAMESPACE) === SYSTEM_NAMESPACE)
        await s.removeIfPresent('secrets', ref.name);
    },
  },
  {
    name: 'show_node',
    method: 'GET',
    path: '/node/:node',
    async run(s, a) {
      return { body: await showNode(s, a.node) };
    },
  },
  {
    name: 'list_nodes',
    method: 'GET',
    path: '/nodes/:is_free',
    async run(s, a) {
      const nodes = await s.list('nodes');
      const chosen = a.is_free === 'free' ? nodes.filter((n) => !specOf(n).project) : nodes;
      return { body: chosen.map(hilNameOf).sort() };
    },
  },
  {
    // HIL keeps each label's value as JSON text (node_register's metadata does the same, above).
    name: 'node_set_metadata',
    method: 'PUT',
    path: '/node/:node/metadata/:label',
    args: { value: 'any' },
    async run(s, a) {
      s.requireAdmin();
      const node = await s.mustFind('nodes', 'Node', a.node);
      await s.patchFound('nodes', node, { spec: { metadata: { [a.label]: JSON.stringify(a.value) } } });
    },
  },
  {
    name: 'node_delete_metadata',
    method: 'DELETE',
    path: '/node/:node/metadata/:label',
    async run(s, a) {
      s.requireAdmin();
      const node = await s.mustFind('nodes', 'Node', a.node);
      const metadata = (specOf(node).metadata ?? {}) as Record<string, string>;
      if (!Object.prototype.hasOwnProperty.call(metadata, a.label))
        throw hil.notFound(`No metadata with label ${a.label} on node ${a.node}.`);
      await s.patchFound('nodes', node, { spec: { metadata: { [a.label]: null } } });
    },
  },
  {
    name: 'node_register_nic',
    method: 'PUT',
    path: '/node/:node/nic/:nic',
    args: { macaddr: 'string' },
    async run(s, a) {
      s.requireAdmin();
      const node = await s.mustFind('nodes', 'Node', a.node);
      const name = nicName(a.nic);
      const nics = (specOf(node).nics ?? []) as { name: string }[];
      const clash = nics.find((n) => n.name === name);
      if (clash) {
        if (nicLabel(node, clash.name) === a.nic) throw hil.duplicate(`Nic ${a.nic} on Node ${a.node} already exists.`);
        throw hil.blocked(
          `Nic ${a.nic} cannot be added: its NIC name ${name} is taken by Nic ${nicLabel(node, clash.name)}.`,
        );
      }
      await s.patchFound('nodes', node, {
        metadata: { annotations: nicLabelsPatch(node, 'nics', name, a.nic) },
        spec: { nics: [...nics, { name, macAddress: a.macaddr }] },
      });
    },
  },
  {
    name: 'node_delete_nic',
    method: 'DELETE',
    path: '/node/:node/nic/:nic',
    async run(s, a) {
      s.requireAdmin();
      const node = await s.mustFind('nodes', 'Node', a.node);
      const nic = mustFindNic(node, a.nic);
      if (specOf(node).project)
        throw hil.blocked('Nic is on a node that belongs to a project. Remove node from project and try again');
      await s.patchFound('nodes', node, {
        metadata: { annotations: nicLabelsPatch(node, 'nics', nic.name) },
        spec: { nics: ((specOf(node).nics ?? []) as { name: string }[]).filter((n) => n.name !== nic.name) },
      });
    },
  },
];
