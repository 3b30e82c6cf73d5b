// Events (core/v1, namespace "default" for our cluster-scoped objects), best-effort: a failed Event never fails a
// reconcile. `kubectl describe` and `kubectl get events` show them.
import type { Logger } from '../common/logging.js';
import type { HilClient } from './client.js';
import { EVENT_NAMESPACE } from './rbac.js';

export interface EventTarget {
  kind: string;
  metadata: { name?: string; uid?: string };
}

export class EventRecorder {
  constructor(
    private readonly client: HilClient,
    private readonly logger?: Logger,
  ) {}

  async record(obj: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.client.createEvent(EVENT_NAMESPACE, {
        involvedObject: {
          apiVersion: 'hil.io/v1alpha1',
          kind: obj.kind,
          name: obj.metadata.name ?? '',
          ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
        },
        reason,
        message,
        type,
      });
    } catch (err) {
      this.logger?.warn('could not record an event', {
        reason,
        object: `${obj.kind}/${obj.metadata.name}`,
        error: (err as Error).message,
      });
    }
  }
}
