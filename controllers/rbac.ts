// Every API call the controllers make, per resource: the single list the RBAC manifests (manifests/) are derived
// from. controllers/client.ts is the only code that calls the API, and each of its methods names the rule it uses;
// a test records the calls the controllers make against our server and checks they are all in here.
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const CONTROLLER_RULES: readonly PolicyRule[] = [
  // Informers: list + watch.
  { apiGroups: ['hil.io'], resources: ['projects', 'switches'], verbs: ['list', 'watch'] },
  // The port-revert finalizer of Ports (patch).
  { apiGroups: ['hil.io'], resources: ['ports'], verbs: ['list', 'watch', 'patch'] },
  // Fresh reads before decisions (get), finalizers (patch): VLAN and protection finalizers.
  { apiGroups: ['hil.io'], resources: ['nodes', 'networks'], verbs: ['get', 'list', 'watch', 'patch'] },
  // The port-revert finalizer.
  { apiGroups: ['hil.io'], resources: ['networkattachments'], verbs: ['list', 'watch', 'patch'] },
  // Status of everything the controllers report on.
  {
    apiGroups: ['hil.io'],
    resources: [
      'projects/status',
      'switches/status',
      'ports/status',
      'nodes/status',
      'networks/status',
      'networkattachments/status',
    ],
    verbs: ['patch'],
  },
  // Headnodes: informer, the hil.io/headnode-vm finalizer, status (VM state, uuid, VNC port, frozen hnics).
  { apiGroups: ['hil.io'], resources: ['headnodes'], verbs: ['list', 'watch', 'patch'] },
  { apiGroups: ['hil.io'], resources: ['headnodes/status'], verbs: ['patch'] },
  // Switch credentials.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  // Events about our objects (namespace "default", as for cluster-scoped objects).
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  // Leader election (Lease hil-controllers) and VLAN claims (Leases vlan-<N>), in namespace hil-system.
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
];

/** Whether a rule allows this call. */
export function allowedBy(
  rules: readonly PolicyRule[],
  call: { verb: string; group: string; resource: string; subresource?: string },
): boolean {
  const res = call.subresource ? `${call.resource}/${call.subresource}` : call.resource;
  return rules.some(
    (r) => r.apiGroups.includes(call.group) && r.resources.includes(res) && r.verbs.includes(call.verb),
  );
}

/** Every (verb, group, resource[/subresource]) the rules grant, as "verb group/resource" strings. */
export function grantedCalls(rules: readonly PolicyRule[] = CONTROLLER_RULES): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g || 'core'}/${res}`))),
    )
    .sort();
}

export { SYSTEM_NAMESPACE } from '../api/v1alpha1/vlan-claims.js';
/** Where Events about cluster-scoped objects go. */
export const EVENT_NAMESPACE = 'default';
export const LEADER_LEASE = 'hil-controllers';
