// Kubernetes' standard object and list metadata (metav1.ObjectMeta, ListMeta): one definition for the generated
// hil.io types (api/v1alpha1/types.ts), the server (apiserver/object.ts) and the clients. Hand-written.

/** Standard object metadata (metav1.ObjectMeta); all our kinds are cluster-scoped. */
export interface ObjectMeta {
  /** Unique name within the kind (DNS-1123 subdomain). */
  name?: string;
  /** Prefix for a server-generated name, used when name is empty on create. */
  generateName?: string;
  /** Namespace; empty for cluster-scoped objects. */
  namespace?: string;
  /** Server-assigned unique id (RFC 4122), distinguishes a deleted and re-created name. */
  uid?: string;
  /** Opaque version for optimistic concurrency and watch; pass back unmodified. */
  resourceVersion?: string;
  /** Incremented on every spec change. */
  generation?: number;
  /** When the object was created (RFC 3339). */
  creationTimestamp?: string;
  /** When deletion was requested (RFC 3339); set while finalizers are pending. */
  deletionTimestamp?: string;
  /** Seconds allowed for graceful termination. */
  deletionGracePeriodSeconds?: number;
  /** Key/value labels for selection. */
  labels?: Record<string, string>;
  /** Key/value annotations, e.g. hil.io/paused, hil.io/power-cycle. */
  annotations?: Record<string, string>;
  /** Finalizers that must be removed before the object is deleted. */
  finalizers?: string[];
  /** Objects this object depends on. */
  ownerReferences?: OwnerReference[];
  /** Server-side apply field ownership. */
  managedFields?: ManagedFieldsEntry[];
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Standard list metadata (metav1.ListMeta). */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}
