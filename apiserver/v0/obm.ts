// v0 OBM calls (hil/api.py: node_enable_disable_obm, node_power_cycle, node_power_on, node_power_off,
// node_set_bootdev, node_power_status, show_console) on the Node resource the resource API has: HIL answered these
// with a 307 to obmd and a node token; here the same checks in HIL's order (404 node, 401 project access, 409 "OBM is
// not enabled"), then the resource API's own power actions, written as the caller (so its authorization decides):
//
//   node_enable_disable_obm  → spec.obm.enabled (false: the node controller revokes the driver's access — obmd's
//                              node token, ending console streams)
//   node_power_on / _off     → spec.power On / Off
//   node_power_cycle         → a new hil.io/power-cycle value (and spec.power On if it was Off: a cycle turns an
//                              Off node on, as obmd's does)
//   node_set_bootdev         → spec.bootDevice (pxe, disk; HIL's "none" clears it: the BMC is left as it is)
//   node_power_status        → status.power, as the node controller last read it ({"power_status": "on"|"off"})
//   show_console             → the nodes/NAME/console stream (follow), the same endpoint code
//
// HIL's calls were synchronous (obmd ran ipmitool before answering), so power and boot-device calls wait until the
// node controller has done it, and answer HIL's OBMError (500) with the controller's message when the BMC failed or
// it was not done in time (the change stays wanted; the controller keeps trying).
import { POWER_CYCLE_ANNOTATION } from '../../api/v1alpha1/annotations.js';
import { serveConsole } from '../handlers/console.js';
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hil } from './errors.js';
import type { V0Session } from './session.js';
import type { Call } from './transport.js';

interface NodeStatusView {
  power?: string;
  lastPowerCycle?: string;
  observedGeneration?: number;
  conditions?: { type: string; status: string; message?: string }[];
}

const statusOf = (n: KObject): NodeStatusView => (n as { status?: NodeStatusView }).status ?? {};
const bmcCondition = (n: KObject) => statusOf(n).conditions?.find((c) => c.type === 'BMCReachable');

/** The node, checked in HIL's order: it exists, the caller has access to its project, its OBM is enabled. */
async function obmNode(s: V0Session, hilName: string, needEnabled = true): Promise<KObject> {
  const node = await s.mustFind('nodes', 'Node', hilName);
  s.requireAccess(specOf(node).project || null);
  if (needEnabled && specOf(node).obm?.enabled === false) throw hil.blocked('OBM is not enabled');
  return node;
}

/**
 * Patches the node as the caller, then waits for the node controller to report `done`. A BMC failure reported
 * after the patch (a new BMCReachable False message: each attempt's message differs) is HIL's OBMError.
 */
async function actAndWait(
  s: V0Session,
  node: KObject,
  patch: Record<string, unknown>,
  what: string,
  done: (n: KObject, generation: number) => boolean,
): Promise<void> {
  const name = node.metadata.name!;
  const before = bmcCondition(node)?.message;
  const patched = await s.patch('nodes', name, patch);
  const generation = patched.metadata.generation ?? 0;
  const waitMs = s.deps.obmWaitMs ?? 30_000;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const n = await s.get('nodes', name);
    if (!n) throw hil.missing('Node', name);
    if (done(n, generation)) return;
    const c = bmcCondition(n);
    const current = (statusOf(n).observedGeneration ?? 0) >= generation;
    if (c?.status === 'False' && (c.message !== before || (current && generation !== node.metadata.generation)))
      throw hil.obm(`${what} failed: ${c.message ?? 'the BMC cannot be reached'}`);
    if (Date.now() > deadline) {
      throw hil.obm(
        `${what} was not done within ${Math.round(waitMs / 1000)} s${c?.status === 'False' ? `: ${c.message}` : ' (is the node controller running?)'}; it stays wanted and the node controller keeps trying`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const obmCalls: Call[] = [
  {
    name: 'node_enable_disable_obm',
    method: 'PUT',
    path: '/node/:node/obm',
    args: { enabled: 'boolean' },
    async run(s, a) {
      const node = await obmNode(s, a.node, false);
      await s.patch('nodes', node.metadata.name!, { spec: { obm: { enabled: a.enabled } } });
    },
  },
  {
    name: 'node_power_cycle',
    method: 'POST',
    path: '/node/:node/power_cycle',
    // HIL accepts `force` and passes it on to obmd; the node controller's cycle is the BMC's power cycle.
    args: { force: 'boolean?' },
    async run(s, a) {
      const node = await obmNode(s, a.node);
      const value = `v0-${new Date().toISOString().replace(/[:.]/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
      await actAndWait(
        s,
        node,
        {
          metadata: { annotations: { [POWER_CYCLE_ANNOTATION]: value } },
          ...(specOf(node).power === 'Off' ? { spec: { power: 'On' } } : {}),
        },
        'power cycle',
        (n) => statusOf(n).lastPowerCycle === value,
      );
    },
  },
  ...(['on', 'off'] as const).map((op): Call => ({
    name: `node_power_${op}`,
    method: 'POST',
    path: `/node/:node/power_${op}`,
    async run(s, a) {
      const node = await obmNode(s, a.node);
      const want = op === 'on' ? 'On' : 'Off';
      await actAndWait(
        s,
        node,
        { spec: { power: want } },
        `power ${op}`,
        (n, gen) => statusOf(n).power === want && (statusOf(n).observedGeneration ?? 0) >= gen,
      );
    },
  })),
  {
    name: 'node_set_bootdev',
    method: 'PUT',
    path: '/node/:node/boot_device',
    args: { bootdev: 'string' },
    async run(s, a) {
      const node = await obmNode(s, a.node);
      // obmd's ipmi driver takes disk, pxe and none (and answers anything else with a bare 400).
      if (!['disk', 'pxe', 'none'].includes(a.bootdev))
        throw hil.badArgument(`${JSON.stringify(a.bootdev)} is not a boot device (disk, pxe or none)`);
      const device = a.bootdev === 'none' ? null : a.bootdev;
      await actAndWait(
        s,
        node,
        { spec: { bootDevice: device } },
        `set boot device ${a.bootdev}`,
        (n, gen) =>
          device === null || ((statusOf(n).observedGeneration ?? 0) >= gen && bmcCondition(n)?.status === 'True'),
      );
    },
  },
  {
    name: 'node_power_status',
    method: 'GET',
    path: '/node/:node/power_status',
    async run(s, a) {
      const node = await obmNode(s, a.node);
      const power = statusOf(node).power;
      if (power === 'On' || power === 'Off') return { body: { power_status: power.toLowerCase() } };
      const c = bmcCondition(node);
      throw hil.obm(
        c?.status === 'False'
          ? `the power state cannot be read: ${c.message}`
          : 'the power state has not been read yet (is the node controller running?)',
      );
    },
  },
  {
    name: 'show_console',
    method: 'GET',
    path: '/node/:nodename/console',
    async run(s, a, http) {
      const node = await obmNode(s, a.nodename);
      await serveConsole({
        store: s.deps.store,
        backend: s.deps.console,
        type: s.type('nodes'),
        name: node.metadata.name!,
        user: s.user,
        query: { follow: 'true' },
        req: http.req,
        res: http.res,
      });
      return { streamed: true };
    },
  },
];
