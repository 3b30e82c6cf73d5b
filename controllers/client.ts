// The controllers' one door to the API: standard Kubernetes calls through @kubernetes/client-node, so the same code
// runs against our server or a real cluster with the CRDs installed. Patches are JSON merge patches with the content
// type set explicitly (custom kinds refuse strategic merge with 415). Each method's comment names its RBAC rule
// (controllers/rbac.ts).
import * as k8s from '@kubernetes/client-node';
import type { Headnode, Network, NetworkAttachment, Node, Port, Project, Switch } from '../api/v1alpha1/types.js';
import { reuseConnections } from './keep-alive.js';
import type { ListOf } from './runtime/informer.js';
import type { LeaseObject, LeaseRecord, LeaseStore } from './runtime/leader-election.js';

export const GROUP = 'hil.io';
export const VERSION = 'v1alpha1';

export interface HilKinds {
  projects: Project;
  switches: Switch;
  ports: Port;
  nodes: Node;
  networks: Network;
  networkattachments: NetworkAttachment;
  headnodes: Headnode;
}
export type HilPlural = keyof HilKinds;

const MERGE = () => k8s.setHeaderOptions('Content-Type', 'application/merge-patch+json');

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}
export function isAlreadyExists(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}
/** A write refused because the object changed since it was read (409, as AlreadyExists on create). */
export const isConflict = isAlreadyExists;

/** One recorded API call (tests compare these with controllers/rbac.ts). */
export interface ApiCall {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
}

export interface CoreEvent {
  involvedObject: { apiVersion: string; kind: string; name: string; uid?: string; namespace?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
}

export class HilClient {
  readonly kc: k8s.KubeConfig;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;
  private readonly coord: k8s.CoordinationV1Api;
  /** Called for every API call (RBAC recording in tests). */
  onCall?: (call: ApiCall) => void;
  /** `source.component` of our Events. */
  component = 'hil-controllers';
  host = '';

  constructor(kc: k8s.KubeConfig) {
    this.kc = reuseConnections(kc);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.coord = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  private rec(verb: string, group: string, resource: string, subresource?: string): void {
    this.onCall?.({ verb, group, resource, ...(subresource ? { subresource } : {}) });
  }

  /** list hil.io/<plural> */
  async list<P extends HilPlural>(plural: P): Promise<ListOf<HilKinds[P]>> {
    this.rec('list', GROUP, plural);
    return (await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as ListOf<
      HilKinds[P]
    >;
  }

  /** watch hil.io/<plural> (the informer's watch; recorded here, made by client-node's Watch) */
  recordWatch(plural: HilPlural): void {
    this.rec('watch', GROUP, plural);
  }

  /** get hil.io/<plural>; undefined when not found */
  async get<P extends HilPlural>(plural: P, name: string): Promise<HilKinds[P] | undefined> {
    this.rec('get', GROUP, plural);
    try {
      return (await this.custom.getClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural,
        name,
      })) as HilKinds[P];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** patch hil.io/<plural> (merge patch; metadata.resourceVersion in the patch makes it conditional) */
  async patch<P extends HilPlural>(plural: P, name: string, body: object): Promise<HilKinds[P]> {
    this.rec('patch', GROUP, plural);
    return (await this.custom.patchClusterCustomObject(
      { group: GROUP, version: VERSION, plural, name, body },
      MERGE(),
    )) as HilKinds[P];
  }

  /** patch hil.io/<plural>/status (merge patch; with `resourceVersion`, conditional: 409 if the object changed since) */
  async patchStatus<P extends HilPlural>(
    plural: P,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<HilKinds[P]> {
    this.rec('patch', GROUP, plural, 'status');
    const body = resourceVersion ? { metadata: { resourceVersion }, status } : { status };
    return (await this.custom.patchClusterCustomObjectStatus(
      { group: GROUP, version: VERSION, plural, name, body },
      MERGE(),
    )) as HilKinds[P];
  }

  /** get v1 secrets → decoded string data */
  async readSecret(namespace: string, name: string): Promise<Record<string, string>> {
    this.rec('get', '', 'secrets');
    const s = await this.core.readNamespacedSecret({ namespace, name });
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    return out;
  }

  /** create v1 events (namespace default) */
  async createEvent(namespace: string, e: CoreEvent): Promise<void> {
    this.rec('create', '', 'events');
    const now = new Date();
    const base = `${e.involvedObject.name}.`.slice(0, 200);
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: base, namespace },
        involvedObject: e.involvedObject,
        reason: e.reason,
        message: e.message.slice(0, 1024),
        type: e.type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
        reportingComponent: this.component,
        reportingInstance: this.host || undefined,
      },
    });
  }

  // ---- Leases (coordination.k8s.io/v1): leader election and VLAN claims ----

  /** get coordination.k8s.io leases; undefined when not found */
  async getLease(namespace: string, name: string): Promise<LeaseObject | undefined> {
    this.rec('get', 'coordination.k8s.io', 'leases');
    try {
      return fromLease(await this.coord.readNamespacedLease({ namespace, name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** list coordination.k8s.io leases */
  async listLeases(namespace: string, labelSelector?: string): Promise<LeaseObject[]> {
    this.rec('list', 'coordination.k8s.io', 'leases');
    const l = await this.coord.listNamespacedLease({ namespace, labelSelector });
    return l.items.map(fromLease);
  }

  /** create coordination.k8s.io leases (409 when taken: the atomic claim) */
  async createLease(lease: LeaseObject): Promise<LeaseObject> {
    this.rec('create', 'coordination.k8s.io', 'leases');
    return fromLease(
      await this.coord.createNamespacedLease({ namespace: lease.metadata.namespace, body: toLease(lease) }),
    );
  }

  /** update coordination.k8s.io leases (409 when the resourceVersion is stale) */
  async replaceLease(lease: LeaseObject): Promise<LeaseObject> {
    this.rec('update', 'coordination.k8s.io', 'leases');
    return fromLease(
      await this.coord.replaceNamespacedLease({
        namespace: lease.metadata.namespace,
        name: lease.metadata.name,
        body: toLease(lease),
      }),
    );
  }

  /** delete coordination.k8s.io leases, only if still at `resourceVersion` (when given); false when already gone */
  async deleteLease(namespace: string, name: string, resourceVersion?: string): Promise<boolean> {
    this.rec('delete', 'coordination.k8s.io', 'leases');
    try {
      await this.coord.deleteNamespacedLease({
        namespace,
        name,
        body: resourceVersion ? { preconditions: { resourceVersion } } : undefined,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The LeaseStore leader election needs. */
  leaseStore(): LeaseStore {
    return {
      get: (ns, name) => this.getLease(ns, name),
      create: (l) => this.createLease(l),
      replace: (l) => this.replaceLease(l),
    };
  }
}

function timeString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return v instanceof Date ? v.toISOString() : String(v);
}

function fromLease(l: k8s.V1Lease): LeaseObject {
  const spec = l.spec ?? {};
  const rec: LeaseRecord = {
    holderIdentity: spec.holderIdentity ?? undefined,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? undefined,
    acquireTime: timeString(spec.acquireTime),
    renewTime: timeString(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? undefined,
  };
  return {
    metadata: {
      name: l.metadata!.name!,
      namespace: l.metadata!.namespace!,
      resourceVersion: l.metadata?.resourceVersion,
      labels: l.metadata?.labels,
    },
    spec: rec,
  };
}

function toLease(l: LeaseObject): k8s.V1Lease {
  const micro = (s: string | undefined) => (s ? new k8s.V1MicroTime(s) : undefined);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: l.metadata.name,
      namespace: l.metadata.namespace,
      resourceVersion: l.metadata.resourceVersion,
      labels: l.metadata.labels,
    },
    spec: {
      holderIdentity: l.spec.holderIdentity,
      leaseDurationSeconds: l.spec.leaseDurationSeconds,
      acquireTime: micro(l.spec.acquireTime),
      renewTime: micro(l.spec.renewTime),
      leaseTransitions: l.spec.leaseTransitions,
    },
  };
}
