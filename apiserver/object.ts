// The generic object the server stores and serves. The server treats every kind alike: what differs per kind
// (schema, scope, columns) lives in its ResourceType, not in code paths.
import type { ManagedFieldsEntry as ManagedFieldsV1, ObjectMeta as MetaV1 } from '../api/meta/object-meta.js';

/**
 * metav1.ObjectMeta (api/meta/object-meta.ts) as the server holds it: any other key a client sent is kept as data,
 * and the server's own managedFields entries are complete.
 */
export interface ObjectMeta extends Omit<MetaV1, 'managedFields' | 'ownerReferences'> {
  ownerReferences?: unknown[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** A managedFields entry as server-side apply writes it (every field set). */
export type ManagedFieldsEntry = Required<Omit<ManagedFieldsV1, 'subresource' | 'operation' | 'fieldsType'>> &
  Pick<ManagedFieldsV1, 'subresource'> & { operation: 'Apply' | 'Update'; fieldsType: 'FieldsV1' };

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** o[k] if o has it as its own property: `constructor` or `toString` from a body are data, never inherited. */
export function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** o[k] = v as a data property, even for k = "__proto__" (which plain assignment turns into a prototype change). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}

export { deepEqual } from '../api/meta/equal.js';

/** An object's spec as a plain record ({} when absent): admission and authorization read fields off it. */
export function specOf(o: KObject | undefined): Record<string, any> {
  return (o?.spec ?? {}) as Record<string, any>;
}

/** Everything but metadata and status: what `generation` counts changes of. */
export function specPart(obj: KObject, hasStatus: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (hasStatus && k === 'status') continue;
    out[k] = v;
  }
  return out;
}
