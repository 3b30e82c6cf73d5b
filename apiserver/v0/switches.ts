// v0 switches and ports (hil/api.py: switch_register, switch_delete, list_switches, show_switch,
// switch_register_port, switch_delete_port, show_port, port_connect_nic, port_detach_nic; port_revert is with the
// networking actions in networking.ts) on Switch (+ its
// credentials Secret), Port, and Node.spec.nics[].port. HIL's port label is the Port's spec.interface.
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hil } from './errors.js';
import { compositeName, hilNameOf } from './names.js';
import { showNodeNetworks } from './views.js';
import { mustFindNic, nicLabel } from './nodes.js';
import { SYSTEM_NAMESPACE, type V0Session } from './session.js';
import type { Call } from './transport.js';

/**
 * HIL's switch types (the tail of `http://schema.massopencloud.org/haas/v0/switches/<x>`): our type, fields, and the
 * HIL extension that provides the type (listed by `GET /active_extensions`).
 */
export const SWITCH_TYPES: Record<
  string,
  { type: string; extension: string; required: string[]; options?: Record<string, string> }
> = {
  mock: { type: 'mock', extension: 'hil.ext.switches.mock', required: ['hostname', 'username', 'password'] },
  powerconnect55xx: {
    type: 'dell-powerconnect',
    extension: 'hil.ext.switches.dell',
    required: ['hostname', 'username', 'password'],
  },
  delln3000: {
    type: 'dell-n3000',
    extension: 'hil.ext.switches.n3000',
    required: ['hostname', 'username', 'password', 'dummy_vlan'],
    options: { dummy_vlan: 'dummyVlan' },
  },
  nexus: {
    type: 'cisco-nexus',
    extension: 'hil.ext.switches.nexus',
    required: ['hostname', 'username', 'password', 'dummy_vlan'],
    options: { dummy_vlan: 'dummyVlan' },
  },
  brocade: {
    type: 'brocade',
    extension: 'hil.ext.switches.brocade',
    required: ['hostname', 'username', 'password', 'interface_type'],
    options: { interface_type: 'interfaceType' },
  },
  dellnos9: {
    type: 'dellnos9',
    extension: 'hil.ext.switches.dellnos9',
    required: ['hostname', 'username', 'password', 'interface_type'],
    options: { interface_type: 'interfaceType' },
  },
  ovs: { type: 'ovs', extension: 'hil.ext.switches.ovs', required: ['ovs_bridge'], options: { ovs_bridge: 'bridge' } },
};
/** HIL's ovs driver talks to the local ovsdb-server; ours names the remote, and this is Open vSwitch's own default. */
export const OVS_DEFAULT_REMOTE = 'unix:/var/run/openvswitch/db.sock';

const quote = (x: string) => `'${x}'`;

async function findPort(s: V0Session, sw: KObject, label: string): Promise<KObject | undefined> {
  return (await s.list('ports', { path: ['spec', 'switch'], value: sw.metadata.name! })).find(
    (p) => specOf(p).interface === label,
  );
}

export async function mustFindPort(s: V0Session, sw: KObject, label: string): Promise<KObject> {
  const p = await findPort(s, sw, label);
  if (!p) throw hil.notFound(`Port ${label} on Switch ${hilNameOf(sw)} does not exist.`);
  return p;
}

/** The node and NIC cabled to a Port, if any. */
export async function cabledTo(s: V0Session, port: KObject): Promise<{ node: KObject; nic: string } | undefined> {
  for (const node of await s.list('nodes')) {
    const nic = ((specOf(node).nics ?? []) as { name: string; port?: string }[]).find(
      (n) => n.port === port.metadata.name,
    );
    if (nic) return { node, nic: nic.name };
  }
  return undefined;
}

export const switchCalls: Call[] = [
  {
    name: 'switch_register',
    method: 'PUT',
    path: '/switch/:switch',
    args: { type: 'string' },
    extraArgs: true,
    async run(s, a) {
      s.requireAdmin();
      await s.checkFree('switches', 'Switch', a.switch);
      const kind = SWITCH_TYPES[String(a.type).replace(/^.*\/switches\//, '')];
      if (!kind || !/\/switches\/[^/]+$/.test(a.type)) throw hil.badArgument(`'${a.type}' is not a valid switch type.`);
      const fields = Object.keys(a).filter((k) => k !== 'switch' && k !== 'type');
      const allowed = new Set(kind.required);
      if (
        kind.required.some((k) => typeof a[k] !== 'string' && typeof a[k] !== 'number') ||
        fields.some((k) => !allowed.has(k))
      ) {
        throw hil.badArgument('The arguments are not valid for this switch type');
      }
      const meta = s.metadataFor(a.switch);
      const options: Record<string, string> = {};
      for (const [from, to] of Object.entries(kind.options ?? {})) options[to] = String(a[from]);
      let credentialsSecretRef: { name: string; namespace: string } | undefined;
      if (a.username !== undefined) {
        credentialsSecretRef = { name: `${meta.name}-credentials`, namespace: SYSTEM_NAMESPACE };
        await s.removeIfPresent('secrets', credentialsSecretRef.name);
        await s.create('secrets', {
          kind: 'Secret',
          metadata: { name: credentialsSecretRef.name, namespace: SYSTEM_NAMESPACE },
          type: 'Opaque',
          stringData: { username: String(a.username), password: String(a.password) },
        });
      }
      try {
        await s.create('switches', {
          kind: 'Switch',
          metadata: meta,
          spec: {
            type: kind.type,
            address: kind.type === 'ovs' ? OVS_DEFAULT_REMOTE : String(a.hostname),
            ...(credentialsSecretRef ? { credentialsSecretRef } : {}),
            ...(Object.keys(options).length ? { options } : {}),
          },
        });
      } catch (err) {
        if (credentialsSecretRef) await s.removeIfPresent('secrets', credentialsSecretRef.name);
        throw err;
      }
    },
  },
  {
    name: 'switch_delete',
    method: 'DELETE',
    path: '/switch/:switch',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      if ((await s.list('ports', { path: ['spec', 'switch'], value: sw.metadata.name! })).length)
        throw hil.blocked(`Switch ${quote(a.switch)} has ports; delete them first.`);
      await s.remove('switches', sw.metadata.name!);
      const ref = specOf(sw).credentialsSecretRef;
      if (ref?.name === `${sw.metadata.name}-credentials`) await s.removeIfPresent('secrets', ref.name);
    },
  },
  {
    name: 'list_switches',
    method: 'GET',
    path: '/switches',
    async run(s) {
      s.requireAdmin();
      return { body: (await s.list('switches')).map(hilNameOf).sort() };
    },
  },
  {
    name: 'show_switch',
    method: 'GET',
    path: '/switch/:switch',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const ports = (await s.list('ports', { path: ['spec', 'switch'], value: sw.metadata.name! }))
        .map((p) => String(specOf(p).interface))
        .sort();
      const caps = (sw.status as any)?.capabilities ?? {};
      return {
        body: {
          name: a.switch,
          ports: ports.map((label) => ({ label })),
          capabilities: caps.nativelessTrunk ? ['nativeless-trunk-mode'] : [],
        },
      };
    },
  },
  {
    name: 'switch_register_port',
    method: 'PUT',
    path: '/switch/:switch/port/:port+',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      if (await findPort(s, sw, a.port)) throw hil.duplicate(`Port ${a.port} on Switch ${a.switch} already exists.`);
      await s.create('ports', {
        kind: 'Port',
        metadata: { name: compositeName([a.switch, a.port]) },
        spec: { switch: sw.metadata.name, interface: a.port },
      });
    },
  },
  {
    name: 'switch_delete_port',
    method: 'DELETE',
    path: '/switch/:switch/port/:port+',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const port = await mustFindPort(s, sw, a.port);
      if (await cabledTo(s, port))
        throw hil.blocked(`Port ${quote(a.port)} is attached to a nic; please detach it first.`);
      await s.remove('ports', port.metadata.name!);
    },
  },
  {
    name: 'show_port',
    method: 'GET',
    path: '/switch/:switch/port/:port+',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const port = await mustFindPort(s, sw, a.port);
      const cable = await cabledTo(s, port);
      if (!cable) return { body: {} };
      return {
        body: {
          node: hilNameOf(cable.node),
          nic: nicLabel(cable.node, cable.nic),
          networks: await showNodeNetworks(s, cable.node, cable.nic),
        },
      };
    },
  },
  {
    name: 'port_connect_nic',
    method: 'POST',
    path: '/switch/:switch/port/:port+/connect_nic',
    args: { node: 'string', nic: 'string' },
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const port = await mustFindPort(s, sw, a.port);
      const node = await s.mustFind('nodes', 'Node', a.node);
      const nic = mustFindNic(node, a.nic);
      if (nic.port) throw hil.duplicate(a.nic);
      if (await cabledTo(s, port)) throw hil.duplicate(a.port);
      const nics = ((specOf(node).nics ?? []) as { name: string; port?: string }[]).map((n) =>
        n.name === nic.name ? { ...n, port: port.metadata.name } : n,
      );
      await s.patchFound('nodes', node, { spec: { nics } });
    },
  },
  {
    name: 'port_detach_nic',
    method: 'POST',
    path: '/switch/:switch/port/:port+/detach_nic',
    async run(s, a) {
      s.requireAdmin();
      const sw = await s.mustFind('switches', 'Switch', a.switch);
      const port = await mustFindPort(s, sw, a.port);
      const cable = await cabledTo(s, port);
      if (!cable) throw hil.notFound(`${a.port} not attached`);
      if (specOf(cable.node).project) throw hil.blocked('The port is attached to a node which is not free');
      const nics = ((specOf(cable.node).nics ?? []) as { name: string; port?: string }[]).map((n) => {
        if (n.name !== cable.nic) return n;
        const { port: _p, ...rest } = n;
        return rest;
      });
      await s.patchFound('nodes', cable.node, { spec: { nics } });
    },
  },
];
