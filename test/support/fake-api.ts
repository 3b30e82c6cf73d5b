// An in-memory stand-in for the API, for fast table-driven reconciler tests: it is both the reconcilers' ObjectCache
// and the subset of HilClient they call (get, list, patch, patchStatus, readSecret, createEvent). Merge patches
// follow RFC 7386; a patch with metadata.resourceVersion is conditional (409), like the real server; removing the
// last finalizer of a deleted object removes it.
import type { HilClient, HilKinds, HilPlural } from '../../controllers/client.js';
import type { ObjectCache } from '../../controllers/cache.js';

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = mergePatch(out[k], v);
  }
  return out;
}

export interface FakeEvent {
  kind: string;
  name: string;
  reason: string;
  message: string;
  type: string;
}

export class FakeApi implements ObjectCache {
  private readonly objects = new Map<string, Map<string, any>>();
  private rv = 1;
  readonly events: FakeEvent[] = [];
  readonly secrets = new Map<string, Record<string, string>>();
  /** Writes by kind/subresource, e.g. "ports/status": 3. */
  readonly writes = new Map<string, number>();
  /** Status writes of these kinds wait for the promise (held, as by a slow API server), e.g. "ports". */
  readonly heldStatus = new Map<string, Promise<void>>();
  /** Status writes of these kinds fail this many more times (an API server refusing them). */
  readonly failingStatus = new Map<string, number>();

  /** Holds every status write of `plural` until the returned function is called. */
  holdStatus(plural: HilPlural): () => void {
    let release!: () => void;
    this.heldStatus.set(plural, new Promise<void>((r) => (release = r)));
    return () => {
      this.heldStatus.delete(plural);
      release();
    };
  }

  put<P extends HilPlural>(plural: P, obj: any): HilKinds[P] {
    const m = this.objects.get(plural) ?? new Map();
    this.objects.set(plural, m);
    const prev = m.get(obj.metadata.name);
    const o = structuredClone({
      ...obj,
      metadata: {
        uid: prev?.metadata.uid ?? `uid-${obj.metadata.name}`,
        generation: 1,
        creationTimestamp: new Date(1_700_000_000_000 + this.rv).toISOString(),
        ...obj.metadata,
        resourceVersion: String(++this.rv),
      },
    });
    m.set(o.metadata.name, o);
    return o;
  }

  /** Marks an object deleted (deletionTimestamp) or removes it when it has no finalizers. */
  delete(plural: HilPlural, name: string): void {
    const o = this.objects.get(plural)?.get(name);
    if (!o) return;
    if (o.metadata.finalizers?.length)
      this.put(plural, { ...o, metadata: { ...o.metadata, deletionTimestamp: new Date().toISOString() } });
    else this.objects.get(plural)!.delete(name);
  }

  get<P extends HilPlural>(plural: P, name: string): HilKinds[P] | undefined {
    const o = this.objects.get(plural)?.get(name);
    return o && structuredClone(o);
  }

  list<P extends HilPlural>(plural: P): HilKinds[P][] {
    return [...(this.objects.get(plural)?.values() ?? [])].map((o) => structuredClone(o));
  }

  writeCount(key: string): number {
    return this.writes.get(key) ?? 0;
  }

  totalWrites(): number {
    return [...this.writes.values()].reduce((a, b) => a + b, 0);
  }

  private count(key: string) {
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
  }

  /** The HilClient the reconcilers use. */
  client(): HilClient {
    const notFound = (what: string) => Object.assign(new Error(`${what} not found`), { code: 404 });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the client object's methods read this FakeApi
    const self = this;
    const c = {
      async get(plural: HilPlural, name: string) {
        return self.get(plural, name);
      },
      async list(plural: HilPlural) {
        return { metadata: { resourceVersion: String(self.rv) }, items: self.list(plural) };
      },
      async patch(plural: HilPlural, name: string, body: any) {
        const cur = self.objects.get(plural)?.get(name);
        if (!cur) throw notFound(`${plural}/${name}`);
        const rv = body?.metadata?.resourceVersion;
        if (rv !== undefined && rv !== cur.metadata.resourceVersion)
          throw Object.assign(new Error('conflict'), { code: 409 });
        self.count(plural);
        const next = mergePatch(cur, { ...body, metadata: { ...body.metadata, resourceVersion: undefined } });
        if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
          self.objects.get(plural)!.delete(name);
          return next;
        }
        return self.put(plural, next);
      },
      async patchStatus(plural: HilPlural, name: string, status: any, resourceVersion?: string) {
        await self.heldStatus.get(plural);
        const failing = self.failingStatus.get(plural) ?? 0;
        if (failing > 0) {
          self.failingStatus.set(plural, failing - 1);
          throw Object.assign(new Error('the server is currently unable to handle the request'), { code: 503 });
        }
        const cur = self.objects.get(plural)?.get(name);
        if (!cur) throw notFound(`${plural}/${name}`);
        if (resourceVersion !== undefined && resourceVersion !== cur.metadata.resourceVersion)
          throw Object.assign(new Error('conflict'), { code: 409 });
        self.count(`${plural}/status`);
        return self.put(plural, { ...cur, status: mergePatch(cur.status ?? {}, status) });
      },
      async readSecret(namespace: string, name: string) {
        const s = self.secrets.get(`${namespace}/${name}`);
        if (!s) throw notFound(`secret ${namespace}/${name}`);
        return { ...s };
      },
      async createEvent(
        _ns: string,
        e: { involvedObject: { kind: string; name: string }; reason: string; message: string; type: string },
      ) {
        self.events.push({
          kind: e.involvedObject.kind,
          name: e.involvedObject.name,
          reason: e.reason,
          message: e.message,
          type: e.type,
        });
      },
    };
    return c as unknown as HilClient;
  }
}
