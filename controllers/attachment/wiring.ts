// How the daemon runs the attachment controller: one key per NetworkAttachment, and every attachment each resync.
import type { Controller } from '../runtime/controller.js';
import { addController, everyResync, type Wiring } from '../wiring.js';
import { AttachmentReconciler } from './attachment-reconciler.js';

export function wireAttachments(w: Wiring, enqueueSwitch: (name: string) => void): Controller {
  const controller = addController(
    w,
    'attachment',
    new AttachmentReconciler({ client: w.client, cache: w.cache, enqueueSwitch }),
    4,
  );
  w.inf.networkattachments.on('change', (a) => controller.enqueue(a.metadata.name!));
  everyResync(w, () => w.inf.networkattachments.list().forEach((a) => controller.enqueue(a.metadata.name!, 'low')));
  return controller;
}
