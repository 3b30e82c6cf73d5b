// v0 list_active_extensions (hil/api.py): HIL answers the option names of hil.cfg's [extensions], sorted. Our
// equivalent names what this server provides in HIL's terms: the auth backend it runs, the VLAN-pool allocator (the
// only allocator; Networks take VLANs from the pool), and the switch and OBM types the v0 calls accept.
import { OBM_TYPES } from './nodes.js';
import { SWITCH_TYPES } from './switches.js';
import type { Call } from './transport.js';

export function activeExtensions(authBackend: string): string[] {
  return [
    ...new Set([
      `hil.ext.auth.${authBackend}`,
      'hil.ext.network_allocators.vlan_pool',
      ...Object.values(SWITCH_TYPES).map((t) => t.extension),
      ...Object.keys(OBM_TYPES).map((t) => `hil.ext.obm.${t}`),
    ]),
  ].sort();
}

export const extensionCalls: Call[] = [
  {
    name: 'list_active_extensions',
    method: 'GET',
    path: '/active_extensions',
    run(s) {
      s.requireAdmin();
      return Promise.resolve({ body: activeExtensions(s.deps.authBackend) });
    },
  },
];
