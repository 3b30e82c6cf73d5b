// Finalizer helpers: add or remove one finalizer with a merge patch conditional on the resourceVersion we read
// (a 409 means someone else wrote meanwhile: the reconcile is retried with a fresh read).
import type { HilClient, HilKinds, HilPlural } from './client.js';

export { FINALIZER_ATTACHMENTS, FINALIZER_PORT_REVERT, FINALIZER_VLAN } from '../api/v1alpha1/finalizers.js';

type Obj = { metadata: { name?: string; resourceVersion?: string; finalizers?: string[] } };

export function hasFinalizer(o: Obj, f: string): boolean {
  return (o.metadata.finalizers ?? []).includes(f);
}

export async function addFinalizer<P extends HilPlural>(
  client: HilClient,
  plural: P,
  o: HilKinds[P],
  f: string,
): Promise<HilKinds[P]> {
  if (hasFinalizer(o, f)) return o;
  const finalizers = [...(o.metadata.finalizers ?? []), f];
  return client.patch(plural, o.metadata.name!, {
    metadata: { finalizers, resourceVersion: o.metadata.resourceVersion },
  });
}

export async function removeFinalizer<P extends HilPlural>(
  client: HilClient,
  plural: P,
  o: HilKinds[P],
  f: string,
): Promise<HilKinds[P]> {
  if (!hasFinalizer(o, f)) return o;
  const finalizers = (o.metadata.finalizers ?? []).filter((x) => x !== f);
  return client.patch(plural, o.metadata.name!, {
    metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: o.metadata.resourceVersion },
  });
}
