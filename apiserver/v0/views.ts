// What several v0 answers show of attachments and networks, in HIL's words.
import type { KObject } from '../object.js';
import { specOf } from '../object.js';
import { hilNameOf } from './names.js';
import type { V0Session } from './session.js';

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** The VLAN of a network: the explicit one, or the one allocated from the pool (undefined until it is). */
export function vlanOf(net: KObject | undefined): number | undefined {
  const v = specOf(net).vlan ?? (net?.status as any)?.vlan;
  return typeof v === 'number' ? v : undefined;
}

/** HIL's channel of an attachment: `vlan/native`, or `vlan/<VLAN>` for a tagged one. */
export function channelOf(att: KObject, net: KObject | undefined): string {
  if ((specOf(att).channel ?? 'native') === 'native') return 'vlan/native';
  const vlan = (att.status as any)?.vlan ?? vlanOf(net);
  return `vlan/${vlan ?? 'tagged'}`;
}

/** Whether HIL would have the attachment in its network_attachment table: the switch carries it (or still does). */
export function inPlace(att: KObject): boolean {
  const phase = (att.status as any)?.phase;
  return phase === 'Attached' || phase === 'Detaching';
}

/** HIL's `networks` of a NIC (show_node, show_port): {channel: network} of the attachments in place. */
export async function showNodeNetworks(s: V0Session, node: KObject, nic: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const a of await s.list('networkattachments', { path: ['spec', 'node'], value: node.metadata.name! })) {
    if (specOf(a).nic !== nic || !inPlace(a)) continue;
    const net = await s.get('networks', String(specOf(a).network));
    out[channelOf(a, net)] = net ? hilNameOf(net) : String(specOf(a).network);
  }
  return sortKeys(out);
}
