// Finalizers the API server puts on new objects, as Kubernetes' own admission does for PersistentVolumeClaims
// (kubernetes.io/pvc-protection): a NetworkAttachment is born with hil.io/port-revert, so deleting it always waits
// for the switch reconciler to revert its port, and the controllers need not write each new attachment once more
// just to add it. A Port is born with it too: deleting a Port waits until its switch port is read back reverted, so
// nothing stays configured on a port no object describes. The controllers still add it when it is missing (a real
// cluster has no such plugin).
import { FINALIZER_PORT_REVERT } from '../../api/v1alpha1/finalizers.js';
import type { AdmissionPlugin } from '../handlers/resources.js';

export const defaultFinalizers: AdmissionPlugin = {
  name: 'default-finalizers',
  async admit({ op, type, object }) {
    if (
      op !== 'create' ||
      !object ||
      type.group !== 'hil.io' ||
      (type.plural !== 'networkattachments' && type.plural !== 'ports')
    )
      return;
    const finalizers = object.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_PORT_REVERT))
      object.metadata.finalizers = [...finalizers, FINALIZER_PORT_REVERT];
  },
};
