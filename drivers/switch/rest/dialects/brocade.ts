// Brocade VDX / Network OS (HIL's `brocade`), over the NOS REST API: one resource per configuration node under
// `/rest/config/running/interface/<type>/"<port>"`, XML bodies in the `urn:brocade.com:mgmt:brocade-interface`
// namespace, GET to read, POST to create a child, PUT to set, DELETE to remove. Ports are layer-2 trunks: the native
// VLAN set with `switchport trunk native-vlan`, the others in the allowed list (`switchport trunk allowed vlan add`).
// A port with no network has no native VLAN, allows no VLAN and is shut down (NOS has no dummy VLAN to park on).
//
// The requests are HIL's (hil/ext/switches/brocade.py), which ran against a VDX 6740, with three differences: VLAN
// lists go in one request per port instead of one per VLAN, each VLAN is created first (`interface Vlan N`, 409 when
// it exists), and the allowed-VLAN body is well-formed (HIL's had `<add>V</vlan>`).
import { SwitchError } from '../../errors.js';
import type { ObservedPort } from '../../switch-driver.js';
import { parseVlanList, vlanList } from '../../cli/dialect.js';
import {
  mapLimited,
  quotedKey,
  REQUESTS_IN_FLIGHT,
  type PlanItem,
  type RestDialect,
  type RestPortState,
  type RestRequest,
  type RestSend,
} from '../rest-dialect.js';
import { child, descendants, el, parseXml, textAt } from '../xml.js';

const CONFIG = '/rest/config/running';

/** NOS names of physical port types; its API uses the same names in URLs. */
const INTERFACE_TYPES: Readonly<Record<string, string>> = {
  GigabitEthernet: 'GigabitEthernet',
  TenGigabitEthernet: 'TenGigabitEthernet',
  FortyGigabitEthernet: 'FortyGigabitEthernet',
  HundredGigabitEthernet: 'HundredGigabitEthernet',
};

function portPath(interfaceType: string, port: string, suffix = ''): string {
  return `${CONFIG}/interface/${INTERFACE_TYPES[interfaceType]}/${quotedKey(port)}${suffix}`;
}

/** The text of a GET reply, or undefined for 404 (nothing configured there). */
async function getOptional(send: RestSend, path: string) {
  const r = await send('GET', path, undefined, [404]);
  return r.status === 404 ? undefined : parseXml(r.body);
}

async function readPort(
  port: string,
  ctx: { interfaceType: string },
  send: RestSend,
): Promise<RestPortState | undefined> {
  const iface = await getOptional(send, portPath(ctx.interfaceType, port));
  if (!iface) return undefined;
  // `<shutdown>true</shutdown>`, or the empty leaf `<shutdown/>`: present and not false means shut down.
  const shutdown = child(iface, 'shutdown') !== undefined && textAt(iface, 'shutdown') !== 'false';
  const modeXml = await getOptional(send, portPath(ctx.interfaceType, port, '/switchport/mode'));
  const odd = (mode: string, anomaly: string) => ({
    mode,
    observed: { interface: port, tagged: [], parked: false, shutdown, anomaly } as ObservedPort,
  });
  const mode = textAt(modeXml, 'vlan-mode');
  if (mode === undefined) {
    // No switchport: a layer-3 port, in no VLAN. Shut down, it reaches nothing.
    if (shutdown) return { mode: 'routed', observed: { interface: port, tagged: [], parked: true, shutdown } };
    return odd('routed', 'a layer-3 port (no switchport) that is not shut down');
  }
  if (mode !== 'trunk') return odd(mode, `switchport mode ${mode} (this driver sets up trunk ports)`);
  const trunk = await getOptional(send, portPath(ctx.interfaceType, port, '/switchport/trunk'));
  const nativeText = textAt(trunk, 'native-vlan');
  const native = nativeText === undefined ? undefined : Number(nativeText);
  const vlanXml = child(trunk, 'allowed', 'vlan');
  if (vlanXml && (child(vlanXml, 'all') || child(vlanXml, 'except'))) {
    return odd('trunk', 'a trunk that carries every VLAN (allowed vlan all/except)');
  }
  const tagged = new Set<number>();
  for (const add of vlanXml ? descendants(vlanXml, 'add') : []) {
    const list = parseVlanList(add.text);
    if (!list) return odd('trunk', `unreadable allowed VLAN list "${add.text.trim().slice(0, 40)}"`);
    list.forEach((v) => tagged.add(v));
  }
  if (native !== undefined && !(Number.isInteger(native) && native >= 1 && native <= 4094))
    return odd('trunk', `unreadable native VLAN "${nativeText}"`);
  if (native !== undefined && tagged.has(native)) return odd('trunk', `native VLAN ${native} is also allowed tagged`);
  const list = [...tagged].sort((a, b) => a - b);
  const parked = shutdown && native === undefined && list.length === 0;
  const observed: ObservedPort = {
    interface: port,
    ...(native === undefined ? {} : { native }),
    tagged: list,
    parked,
    shutdown,
  };
  // A trunk with no native VLAN that is up: NOS puts its untagged frames on the default VLAN.
  if (!parked && native === undefined && !shutdown)
    return { mode: 'trunk', observed: { ...observed, anomaly: 'an active trunk with no native VLAN' } };
  return { mode: 'trunk', observed };
}

function plan(items: readonly PlanItem[], ctx: { interfaceType: string }): RestRequest[][] {
  const create = new Map<number, string[]>();
  const writes: RestRequest[] = [];
  for (const { port, target, observed, mode } of items) {
    const path = (suffix = '') => portPath(ctx.interfaceType, port, suffix);
    const req = (method: RestRequest['method'], p: string, body?: string, accept?: number[]): RestRequest => ({
      method,
      path: p,
      ...(body === undefined ? {} : { body }),
      ...(accept ? { accept } : {}),
      ports: [port],
    });
    const allowed = (op: 'add' | 'remove' | 'none', vlans: number[] = []) =>
      req(
        'PUT',
        path('/switchport/trunk/allowed/vlan'),
        el('vlan', el(op, op === 'none' ? 'true' : vlanList(vlans))).xml,
      );
    const dirty = observed.anomaly !== undefined;
    if (target.native === undefined) {
      // Park: no VLAN at all, then shut down.
      if (mode !== 'routed') {
        if (mode !== 'trunk')
          writes.push(req('PUT', path('/switchport/mode'), el('mode', el('vlan-mode', 'trunk')).xml));
        if (dirty || observed.tagged.length) writes.push(allowed('none'));
        if (dirty || observed.native !== undefined)
          writes.push(req('DELETE', path('/switchport/trunk/native-vlan'), undefined, [404]));
      }
      if (!observed.shutdown) writes.push(req('POST', path(), el('shutdown', 'true').xml, [409]));
      continue;
    }
    for (const v of [target.native, ...target.tagged]) create.set(v, [...(create.get(v) ?? []), port]);
    if (observed.shutdown) writes.push(req('DELETE', path('/shutdown'), undefined, [404]));
    if (mode !== 'trunk') {
      writes.push(req('POST', path(), el('switchport', '').xml, [409]));
      writes.push(req('PUT', path('/switchport/mode'), el('mode', el('vlan-mode', 'trunk')).xml));
    }
    // A port read in a state outside the model, or just made a trunk (an access port keeps its old trunk
    // settings): start its allowed list from nothing. A new switchport (was routed) has none.
    const current = dirty || mode !== 'trunk' ? [] : observed.tagged;
    if (dirty || (mode !== 'trunk' && mode !== 'routed')) writes.push(allowed('none'));
    if (dirty || observed.native !== target.native) {
      // The native VLAN untagged (NOS can tag it: `switchport trunk tag native-vlan`), then set.
      writes.push(req('DELETE', path('/switchport/trunk/tag/native-vlan'), undefined, [404]));
      writes.push(req('PUT', path('/switchport/trunk'), el('trunk', el('native-vlan', target.native)).xml));
    }
    const remove = current.filter((v) => !target.tagged.includes(v));
    const add = target.tagged.filter((v) => !current.includes(v));
    if (remove.length) writes.push(allowed('remove', remove));
    if (add.length) writes.push(allowed('add', add));
  }
  // VLANs first: `interface Vlan N` exists before a port is put on it (409: it already does).
  const vlans: RestRequest[] = [...create].map(([vlan, ports]) => ({
    method: 'POST',
    path: `${CONFIG}/interface`,
    body: el('Vlan', el('name', vlan)).xml,
    accept: [409],
    ports,
    group: `vlan-${vlan}`,
  }));
  return [vlans, writes];
}

/** `copy running-config startup-config` through the RAS operation, polled until the switch says it is done. */
async function save(_ctx: unknown, send: RestSend): Promise<void> {
  const started = await send(
    'POST',
    '/rest/operations/bna-config-cmd',
    el('bna-config-cmd', el('src', 'running-config'), el('dest', 'startup-config')).xml,
  );
  let reply = parseXml(started.body);
  const session = textAt(reply, 'session-id');
  for (;;) {
    const status = textAt(reply, 'status');
    if (status === 'completed') return;
    if (status !== 'in-progress' || session === undefined || !/^\d{1,10}$/.test(session)) {
      throw new SwitchError(
        'failed',
        `saving the configuration: the switch says ${status ?? 'nothing'}${
          textAt(reply, 'status-string') ? `: ${textAt(reply, 'status-string')}` : ''
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
    const polled = await send(
      'POST',
      '/rest/operations/bna-config-cmd-status',
      el('bna-config-cmd-status', el('session-id', session)).xml,
    );
    reply = parseXml(polled.body);
  }
}

export const brocade: RestDialect = {
  type: 'brocade',
  description: 'Brocade VDX (Network OS) over its REST API',
  interfacePattern: /^\d+\/\d+(\/\d+)?$/,
  interfaceTypes: INTERFACE_TYPES,
  probe: { method: 'GET', path: '/rest' },
  readPorts: (ports, ctx, send) => mapLimited(ports, REQUESTS_IN_FLIGHT, (p) => readPort(p, ctx, send)),
  plan,
  save,
};
