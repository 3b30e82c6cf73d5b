// Finalizers the API server puts on new objects, as Kubernetes' own admission does for PersistentVolumeClaims
// (kubernetes.io/pvc-protection): a NetworkAttachment is born with hil.io/port-revert, so deleting it always waits
// for the switch reconciler to revert its port, and the controllers need not write each new attachment once more
// just to add it. The attachment controller still adds it when it is missing (a real cluster has no such plugin).
import { FINALIZER_PORT_REVERT } from '../../api/v1alpha1/finalizers.js';
import type { AdmissionPlugin } from '../handlers/resources.js';

export const defaultFinalizers: AdmissionPlugin = {
  name: 'default-finalizers',
  async admit({ op, type, object }) {
    if (op !== 'create' || !object || type.group !== 'hil.io' || type.plural !== 'networkattachments') return;
    const finalizers = object.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_PORT_REVERT)) object.metadata.finalizers = [...finalizers, FINALIZER_PORT_REVERT];
  },
};
