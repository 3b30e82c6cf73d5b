// Every API call the controllers make, per resource: the single list the RBAC manifests (manifests/) are derived
// from. controllers/client.ts is the only code that calls the API, and each of its methods names the rule it uses;
// a test records the calls the controllers make against our server and checks they are all in here.
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const CONTROLLER_RULES: readonly PolicyRule[] = [
  // Informers (list + watch), fresh reads before decisions (get), finalizers (patch).
  { apiGroups: ['hil.io'], resources: ['switches', 'ports', 'nodes', 'networks', 'networkattachments'], verbs: ['get', 'list', 'watch', 'patch'] },
  // Status of everything the controllers own.
  { apiGroups: ['hil.io'], resources: ['switches/status', 'ports/status', 'nodes/status', 'networks/status', 'networkattachments/status'], verbs: ['patch'] },
  // Switch credentials.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  // Events about our objects (namespace "default", as for cluster-scoped objects).
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  // Leader election (Lease hil-controllers) and VLAN claims (Leases vlan-<N>), in namespace hil-system.
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
];

/** The namespace of the leader lease, the VLAN claims and the credentials Secrets. */
export const SYSTEM_NAMESPACE = 'hil-system';
/** Where Events about cluster-scoped objects go. */
export const EVENT_NAMESPACE = 'default';
export const LEADER_LEASE = 'hil-controllers';
