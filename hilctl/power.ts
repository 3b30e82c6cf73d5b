// `hilctl node power on|off|cycle|status NODE…` — HIL's node_power_* calls, written as the resources say them:
// on/off set Node spec.power (the node controller makes the BMC agree), cycle sets the annotation
// hil.io/power-cycle to a fresh RFC 3339 timestamp (acted on once per value, like `kubectl rollout restart`),
// status reads status.power as the controller last observed it.
import { objectPath, objectRef } from './discovery.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { CliError } from './errors.js';
import type { Session } from './session.js';

export { POWER_CYCLE_ANNOTATION } from '../api/v1alpha1/annotations.js';
import { POWER_CYCLE_ANNOTATION } from '../api/v1alpha1/annotations.js';

export interface PowerOptions {
  dryRun?: string;
}

export async function runPower(s: Session, action: string, nodes: string[], o: PowerOptions): Promise<number> {
  const act = action.toLowerCase();
  if (!['on', 'off', 'cycle', 'status'].includes(act))
    throw new CliError(`power action must be on, off, cycle or status, not "${action}"`);
  if (!nodes.length) throw new CliError(`name the node(s): hilctl node power ${act} NODE…`);
  const dryRun = parseDryRun(o.dryRun);
  const d = await s.discovery();
  const r = d.hil('Node');
  for (const name of nodes) {
    const path = objectPath(r, name);
    const node = await s.client.get(path);
    const ref = objectRef(r, name);
    if (act === 'status') {
      const observed = node.status?.power ?? 'Unknown';
      const desired = node.spec?.power;
      s.out(`${name}: ${observed}${desired && desired !== observed ? ` (desired: ${desired})` : ''}`);
      continue;
    }
    const query = { fieldManager: 'hilctl-power', dryRun: dryRun === 'server' ? 'All' : undefined };
    if (act === 'cycle') {
      const stamp = new Date().toISOString();
      await s.client.request('PATCH', path, {
        query,
        body: { metadata: { annotations: { [POWER_CYCLE_ANNOTATION]: stamp } } },
        contentType: 'application/merge-patch+json',
      });
      s.out(`${ref} power cycle requested (${POWER_CYCLE_ANNOTATION}=${stamp})${dryRunSuffix(dryRun)}`);
      continue;
    }
    const want = act === 'on' ? 'On' : 'Off';
    if (node.spec?.power === want) {
      s.out(`${ref} power already ${want} (unchanged)`);
      continue;
    }
    await s.client.request('PATCH', path, {
      query,
      body: { spec: { power: want } },
      contentType: 'application/merge-patch+json',
    });
    s.out(`${ref} power ${want} requested${dryRunSuffix(dryRun)}`);
  }
  return 0;
}
