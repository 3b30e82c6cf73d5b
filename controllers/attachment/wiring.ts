// How the daemon runs the attachment controller: one key per NetworkAttachment, and every attachment each resync.
// Not woken by an attachment's status-only updates: its work (the finalizer, Pending for an attachment that reaches
// no managed port, waking the switch) follows from spec, deletion and finalizers; the statuses are its own and the
// switch reconciler's writes.
import type { Controller } from '../runtime/controller.js';
import { onSpecChange } from '../runtime/spec-signatures.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { AttachmentReconciler } from './attachment-reconciler.js';

export function wireAttachments(w: Wiring, enqueueSwitch: (name: string) => void): Controller {
  const controller = addController(
    w,
    'attachment',
    new AttachmentReconciler({ client: w.client, cache: w.cache, enqueueSwitch }),
    4,
  );
  onSpecChange(w.inf.networkattachments, (a) => controller.enqueue(a.metadata.name!));
  everyResync(w, () => w.inf.networkattachments.list().forEach((a) => controller.enqueue(a.metadata.name!, 'low')));
  return controller;
}
