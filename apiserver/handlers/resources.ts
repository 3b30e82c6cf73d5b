// The REST verbs on every kind: get, list, create, update, patch (four formats), delete (with finalizers), the
// /status subresource and dry runs. Every write is one store transaction: admission reads and the write commit
// together or not at all.
import { randomUUID } from 'node:crypto';
import { errors } from '../errors.js';
import { deepClone, deepEqual, isPlainObject, specPart, type KObject } from '../object.js';
import { applyJsonPatch, mergePatch, recordUpdate, serverSideApply, strategicMergePatch } from '../patch.js';
import { mediaType, parseBody, PATCH_TYPES } from '../codec/body.js';
import { awaitRevision } from './revision.js';
import { apiVersionOf, storeKey, type ResourceType } from '../registry.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { objectJson, type Store, type StoredObject, type StoreTx } from '../store/store.js';
import { toTable, wantsTable } from '../table.js';
import type { FieldValidation, Validator } from '../validation.js';
import { validateName } from '../validation.js';

import type { UserInfo } from '../auth/user.js';
import { queryBool } from '../codec/query.js';
export type { UserInfo };

export type WriteOp = 'create' | 'update' | 'delete';

/** A check run inside the write transaction, after validation (invariants, authorization of the change). */
export interface AdmissionPlugin {
  name: string;
  /**
   * Runs on the stored object of an update, patch or delete before anything is applied to, validated against or
   * compared with it: a caller who may not write the object learns nothing of it from the errors that follow.
   */
  authorizeStored?(req: {
    op: 'update' | 'delete';
    type: ResourceType;
    old: KObject;
    subresource?: string;
    user: UserInfo;
  }): void;
  admit(req: {
    op: WriteOp;
    type: ResourceType;
    object?: KObject;
    old?: KObject;
    subresource?: string;
    user: UserInfo;
    tx: StoreTx;
  }): Promise<void>;
}

export interface RequestInfo {
  type: ResourceType;
  namespace: string; // '' for cluster-scoped
  name?: string;
  subresource?: string;
  user: UserInfo;
  query: Record<string, string | undefined>;
  contentType: string;
  accept: string | undefined;
  userAgent: string | undefined;
}

export interface Response {
  code: number;
  body: unknown;
  /** The body's JSON text when it was built from stored text (objectJson); the server sends it as it is. */
  text?: string;
  warnings?: string[];
}

class DryRun extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return s;
}

function fieldValidationOf(q: RequestInfo['query']): FieldValidation {
  const v = q.fieldValidation ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw errors.badRequest(`fieldValidation must be one of Strict, Warn, Ignore, not "${v}"`);
  }
  return v;
}

function isDryRun(q: RequestInfo['query']): boolean {
  if (!q.dryRun) return false;
  if (q.dryRun !== 'All') throw errors.badRequest(`dryRun must be "All", not "${q.dryRun}"`);
  return true;
}

/** kubectl's User-Agent is "kubectl/v1.32.4 (linux/amd64) …": the manager is its first word. */
function managerOf(info: RequestInfo, op: 'Update' | 'Apply'): string {
  if (info.query.fieldManager) {
    if (info.query.fieldManager.length > 128) throw errors.badRequest('fieldManager must be at most 128 characters');
    return info.query.fieldManager;
  }
  if (op === 'Apply')
    throw errors.badRequest('PATCH with application/apply-patch+yaml requires the fieldManager parameter');
  return (info.userAgent ?? 'unknown').split('/')[0].split(' ')[0] || 'unknown';
}

/**
 * Built-in kinds sent without apiVersion/kind (the Python client's typed objects, kopf's Events) take them from
 * the URL, as kube-apiserver's typed decoding does; custom kinds must name themselves.
 */
function defaultTypeMeta(t: ResourceType, o: KObject): void {
  if (!t.strategicMerge) return;
  if (o.apiVersion === undefined || o.apiVersion === '') o.apiVersion = apiVersionOf(t);
  if (o.kind === undefined || o.kind === '') o.kind = t.kind;
}

/** A value from a request body in a message: String() throws on {"toString": "x"}, JSON never does. */
function shown(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

function asObject(body: unknown, what = 'the request body'): KObject {
  if (!isPlainObject(body)) throw errors.badRequest(`${what} must be an object`);
  const o = body as KObject;
  if (o.metadata === undefined || o.metadata === null) o.metadata = {};
  if (!isPlainObject(o.metadata)) throw errors.badRequest('metadata must be an object');
  return o;
}

export interface ResourceHandlersOptions {
  store: Store;
  validator: Validator;
  admission?: AdmissionPlugin[];
}

export class ResourceHandlers {
  constructor(private readonly opts: ResourceHandlersOptions) {}

  private get store() {
    return this.opts.store;
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  /** `visible` undefined: the caller sees every object (an admin). */
  async get(info: RequestInfo, visible?: (o: KObject) => boolean): Promise<Response> {
    const { type: t } = info;
    const cur = await this.store.get(storeKey(t), info.namespace, info.name!);
    if (!cur) throw errors.notFound(t.plural, t.group, info.name!);
    if (visible && !visible(cur.object)) {
      throw errors.forbidden(
        `${t.group ? `${t.plural}.${t.group}` : t.plural} "${info.name}" is forbidden: User "${info.user.name}" cannot get it: it is not in any of your projects`,
        { name: info.name, group: t.group, kind: t.plural },
      );
    }
    if (!wantsTable(info.accept)) return { code: 200, body: cur.object, text: objectJson(cur) };
    return { code: 200, body: this.present(info, cur.object) };
  }

  /** `visible` undefined: the caller sees every object (an admin). */
  async list(info: RequestInfo, visible?: (o: KObject) => boolean): Promise<Response> {
    const { type: t, query: q } = info;
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector);
    if (q.resourceVersion !== undefined && q.resourceVersion !== '' && q.resourceVersion !== '0') {
      const rv = Number(q.resourceVersion);
      if (!Number.isSafeInteger(rv) || rv < 0)
        throw errors.badRequest(`resourceVersion must be an integer, not "${q.resourceVersion}"`);
      await awaitRevision(this.store, rv);
    }
    const limit = q.limit ? Number(q.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0)
      throw errors.badRequest(`limit must be a non-negative integer, not "${q.limit}"`);
    let after: { namespace: string; name: string } | undefined;
    if (q.continue) {
      try {
        const tok = JSON.parse(Buffer.from(q.continue, 'base64url').toString('utf8'));
        if (typeof tok.ns !== 'string' || typeof tok.name !== 'string') throw new Error('bad token');
        after = { namespace: tok.ns, name: tok.name };
      } catch {
        throw errors.badRequest('the continue token is not valid');
      }
    }
    const where = { namespace: t.namespaced && info.namespace ? info.namespace : undefined, after };
    // Without selectors or per-object visibility, nothing needs the parsed objects: the items are the stored text.
    const everything = !q.labelSelector && !q.fieldSelector && !visible;
    if (everything && limit === 0 && !wantsTable(info.accept)) {
      // The whole list as one string (store.listText: joined by SQLite, or from PostgreSQL's rows as stored): the
      // common case of informers' and admins' lists, without an item and a parsed-on-demand object per row.
      const joined = await this.store.listText?.(storeKey(t), where);
      if (joined) {
        const head = {
          kind: t.listKind,
          apiVersion: apiVersionOf(t),
          metadata: { resourceVersion: String(joined.revision) },
        };
        const text = `${JSON.stringify(head).slice(0, -1)},"items":[${joined.items}]}`;
        let parsed: unknown;
        return {
          code: 200,
          text,
          get body() {
            return (parsed ??= JSON.parse(text));
          },
        };
      }
    }
    // Without selectors or visibility, a page is read as a page: the database stops after limit + 1 rows (kubectl
    // and informers list 500 at a time; reading every row for each page made paging through N objects N²/500).
    const paged = everything && limit > 0;
    const res = await this.store.list(storeKey(t), paged ? { ...where, limit: limit + 1 } : where);
    const matching = everything
      ? res.items
      : res.items.filter(
          (i) => labels(i.object.metadata.labels) && fields(i.object) && (!visible || visible(i.object)),
        );
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const meta: Record<string, unknown> = { resourceVersion: String(res.revision) };
    if (limit > 0 && matching.length > limit) {
      const last = page[page.length - 1];
      meta.continue = Buffer.from(JSON.stringify({ rv: res.revision, ns: last.namespace, name: last.name })).toString(
        'base64url',
      );
      meta.remainingItemCount = matching.length - limit + (res.remaining ?? 0);
    }
    if (wantsTable(info.accept)) {
      return {
        code: 200,
        body: toTable(
          t,
          page.map((i) => i.object),
          meta,
          q.includeObject,
        ),
      };
    }
    const head = { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: meta };
    const text = `${JSON.stringify(head).slice(0, -1)},"items":[${page.map(objectJson).join(',')}]}`;
    return {
      code: 200,
      text,
      get body() {
        return { ...head, items: page.map((i) => i.object) };
      },
    };
  }

  /** What a client sees of a stored object (Tables are built by the caller when asked for). */
  present(info: RequestInfo, obj: KObject): unknown {
    const o = obj;
    if (wantsTable(info.accept)) {
      return toTable(info.type, [o], { resourceVersion: o.metadata.resourceVersion }, info.query.includeObject);
    }
    return o;
  }

  // ---- writes --------------------------------------------------------------------------------------------

  /** One transaction; a dry run goes all the way through admission and then rolls back. */
  private async write<T>(info: RequestInfo, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const dry = isDryRun(info.query);
    try {
      return await this.store.transact(
        async (tx) => {
          const out = await fn(tx);
          if (dry) throw new DryRun(out);
          return out;
        },
        { rollsBack: dry },
      );
    } catch (err) {
      if (err instanceof DryRun) return err.result as T;
      throw err;
    }
  }

  /** The stored object, once the caller is known to be allowed to write it (404 when absent). */
  private async storedForWrite(
    info: RequestInfo,
    tx: StoreTx,
    op: 'update' | 'delete',
  ): Promise<StoredObject | undefined> {
    const cur = await tx.get(storeKey(info.type), info.namespace, info.name!);
    if (cur)
      for (const p of this.opts.admission ?? [])
        p.authorizeStored?.({ op, type: info.type, old: cur.object, subresource: info.subresource, user: info.user });
    return cur;
  }

  private async admit(op: WriteOp, info: RequestInfo, tx: StoreTx, object?: KObject, old?: KObject) {
    for (const p of this.opts.admission ?? []) {
      await p.admit({ op, type: info.type, object, old, subresource: info.subresource, user: info.user, tx });
    }
  }

  private checkNamespace(info: RequestInfo, obj: KObject) {
    const t = info.type;
    if (t.namespaced) {
      if (
        obj.metadata.namespace !== undefined &&
        obj.metadata.namespace !== '' &&
        obj.metadata.namespace !== info.namespace
      ) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = info.namespace;
    } else {
      delete obj.metadata.namespace;
    }
  }

  /** Validates and stamps a brand-new object (shared by POST and apply-creates). */
  private prepareNew(info: RequestInfo, obj: KObject, warnings: string[], now: string): KObject {
    const t = info.type;
    this.checkNamespace(info, obj);
    if (!obj.metadata.name && typeof obj.metadata.generateName === 'string' && obj.metadata.generateName)
      obj.metadata.name = `${obj.metadata.generateName}${generateSuffix()}`;
    const nameCauses = validateName(obj.metadata.name, !!t.nameIsLabel);
    if (obj.metadata.resourceVersion) {
      nameCauses.push({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: resourceVersion should not be set on objects to be created',
        field: 'metadata.resourceVersion',
      });
    }
    if (nameCauses.length) throw errors.invalid(t.kind, t.group, shown(obj.metadata.name ?? ''), nameCauses);
    t.normalize?.(obj);
    if (t.statusSubresource) delete obj.status;
    warnings.push(...this.opts.validator.validate(t, obj, fieldValidationOf(info.query)));
    for (const k of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
    ] as const)
      delete obj.metadata[k];
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now;
    obj.metadata.generation = 1;
    return obj;
  }

  async create(info: RequestInfo, body: unknown): Promise<Response> {
    const t = info.type;
    if (info.subresource) throw errors.methodNotAllowed(`POST is not supported on ${t.plural}/${info.subresource}`);
    const obj = asObject(body);
    defaultTypeMeta(t, obj);
    const warnings: string[] = [];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete obj.metadata.managedFields;
    this.prepareNew(info, obj, warnings, now);
    obj.metadata.managedFields = recordUpdate(undefined, obj, managerOf(info, 'Update'), apiVersionOf(t), now);
    const stored = await this.write(info, async (tx) => {
      const key = storeKey(t);
      // Admission (authorization first) before the name is looked up, as kube-apiserver does: a caller who may not
      // create the object learns nothing, not even whether the name is taken.
      await this.admit('create', info, tx, obj);
      if (await tx.get(key, info.namespace, obj.metadata.name!))
        throw errors.alreadyExists(t.plural, t.group, obj.metadata.name!);
      return tx.put(key, info.namespace, obj.metadata.name!, obj);
    });
    return { code: 201, body: stored.object, text: objectJson(stored), warnings };
  }

  /**
   * The common tail of PUT and PATCH: carries over what clients may not change, enforces the status split and
   * generation, validates, and writes (or deletes, when the last finalizer of a deleted object goes).
   */
  private async commitUpdate(
    info: RequestInfo,
    tx: StoreTx,
    cur: StoredObject,
    next: KObject,
    manager: { name: string; managedFields?: KObject['metadata']['managedFields'] },
    warnings: string[],
  ): Promise<KObject> {
    const t = info.type;
    const old = cur.object;
    const name = info.name!;
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${shown(next.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) {
      throw errors.conflict(
        t.plural,
        t.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    this.checkNamespace(info, next);
    t.normalize?.(next);
    const status = info.subresource === 'status';
    let result: KObject;
    if (status) {
      // /status: only status changes; everything else stays as stored.
      result = deepClone(old);
      if (next.status === undefined) delete result.status;
      else result.status = next.status;
    } else {
      result = next;
      if (t.statusSubresource) {
        if (old.status === undefined) delete result.status;
        else result.status = deepClone(old.status);
      }
    }
    // System fields: always the stored ones.
    result.apiVersion = old.apiVersion;
    result.kind = old.kind;
    const m = result.metadata;
    m.name = name;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
    else delete m.deletionTimestamp;
    m.generation = old.metadata.generation ?? 1;
    delete m.resourceVersion;
    warnings.push(...this.opts.validator.validate(t, result, status ? 'Ignore' : fieldValidationOf(info.query)));
    if (old.metadata.deletionTimestamp) {
      const added = (m.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        throw errors.invalid(t.kind, t.group, name, [
          {
            reason: 'FieldValueForbidden',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
            field: 'metadata.finalizers',
          },
        ]);
      }
    }
    if (!deepEqual(specPart(result, t.statusSubresource), specPart(old, t.statusSubresource)))
      m.generation = (old.metadata.generation ?? 1) + 1;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    m.managedFields =
      manager.managedFields ?? recordUpdate(old, result, manager.name, apiVersionOf(t), now, info.subresource);
    // Admission runs even for a write that changes nothing: its answer must not depend on the stored state.
    await this.admit('update', info, tx, result, old);
    // A no-op write changes nothing, not even the resourceVersion (controllers rely on this to settle).
    const comparable = (o: KObject) => ({
      ...o,
      metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined },
    });
    if (deepEqual(comparable(result), comparable(old))) return old;
    if (m.deletionTimestamp && !(m.finalizers ?? []).length) {
      const gone = await tx.remove({ ...cur, raw: undefined, object: result });
      return gone.object;
    }
    const stored = await tx.put(storeKey(t), cur.namespace, name, result, cur);
    return stored.object;
  }

  async update(info: RequestInfo, body: unknown): Promise<Response> {
    const t = info.type;
    const next = asObject(body);
    defaultTypeMeta(t, next);
    const warnings: string[] = [];
    const obj = await this.write(info, async (tx) => {
      const cur = await this.storedForWrite(info, tx, 'update');
      if (!cur) throw errors.notFound(t.plural, t.group, info.name!);
      if (next.apiVersion !== cur.object.apiVersion || next.kind !== cur.object.kind) {
        throw errors.badRequest(
          `the object's apiVersion/kind (${String(next.apiVersion)}/${String(next.kind)}) does not match the endpoint (${apiVersionOf(t)}/${t.kind})`,
        );
      }
      return this.commitUpdate(info, tx, cur, next, { name: managerOf(info, 'Update') }, warnings);
    });
    return { code: 200, body: obj, warnings };
  }

  async patch(info: RequestInfo, raw: Buffer | undefined): Promise<Response> {
    const t = info.type;
    const ct = mediaType(info.contentType);
    if (ct === PATCH_TYPES.strategic && !t.strategicMerge) {
      throw errors.unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}`,
      );
    }
    if (![PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply].includes(ct as any)) {
      throw errors.unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}${t.strategicMerge ? `, ${PATCH_TYPES.strategic}` : ''}`,
      );
    }
    const body = parseBody(raw, ct);
    const warnings: string[] = [];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (ct === PATCH_TYPES.apply) {
      const applied = asObject(body, 'an applied configuration');
      if (applied.apiVersion !== apiVersionOf(t) || applied.kind !== t.kind) {
        throw errors.badRequest(
          `the applied configuration's apiVersion/kind (${String(applied.apiVersion)}/${String(applied.kind)}) does not match the endpoint (${apiVersionOf(t)}/${t.kind})`,
        );
      }
      if (applied.metadata.name !== info.name) {
        throw errors.badRequest(
          `the name of the applied configuration (${shown(applied.metadata.name)}) does not match the name on the URL (${info.name})`,
        );
      }
      const manager = managerOf(info, 'Apply');
      const force = queryBool(info.query, 'force');
      let created = false;
      const obj = await this.write(info, async (tx) => {
        const cur = await this.storedForWrite(info, tx, 'update');
        if (!cur) {
          if (info.subresource) throw errors.notFound(t.plural, t.group, info.name!);
          // Server-side apply creates what is absent.
          const fresh = this.prepareNew(info, deepClone(applied), warnings, now);
          fresh.metadata.managedFields = serverSideApply(
            undefined,
            applied,
            manager,
            force,
            apiVersionOf(t),
            now,
          ).managedFields;
          await this.admit('create', info, tx, fresh);
          created = true;
          return (await tx.put(storeKey(t), info.namespace, info.name!, fresh)).object;
        }
        const { object, managedFields } = serverSideApply(cur.object, applied, manager, force, apiVersionOf(t), now);
        object.metadata.resourceVersion = applied.metadata.resourceVersion;
        return this.commitUpdate(info, tx, cur, object, { name: manager, managedFields }, warnings);
      });
      return { code: created ? 201 : 200, body: obj, warnings };
    }
    const obj = await this.write(info, async (tx) => {
      const cur = await this.storedForWrite(info, tx, 'update');
      if (!cur) throw errors.notFound(t.plural, t.group, info.name!);
      const base = deepClone(cur.object);
      let next: KObject;
      if (ct === PATCH_TYPES.json) next = applyJsonPatch(base, body);
      else if (ct === PATCH_TYPES.merge) {
        if (!isPlainObject(body)) throw errors.badRequest('a merge patch must be an object');
        next = mergePatch(base, body) as KObject;
      } else next = strategicMergePatch(base, body);
      if (!isPlainObject(next) || !isPlainObject(next.metadata))
        throw errors.badRequest('the patch removed the object or its metadata');
      // A patch that does not mention resourceVersion applies to whatever is current.
      const patchRv =
        isPlainObject(body) && isPlainObject((body as any).metadata)
          ? (body as any).metadata.resourceVersion
          : undefined;
      if (ct !== PATCH_TYPES.json && patchRv === undefined)
        next.metadata.resourceVersion = cur.object.metadata.resourceVersion;
      return this.commitUpdate(info, tx, cur, next, { name: managerOf(info, 'Update') }, warnings);
    });
    return { code: 200, body: obj, warnings };
  }

  async delete(info: RequestInfo, body: unknown): Promise<Response> {
    const t = info.type;
    if (info.subresource) throw errors.methodNotAllowed(`DELETE is not supported on ${t.plural}/${info.subresource}`);
    const opts = isPlainObject(body) ? body : {};
    const pre = isPlainObject(opts.preconditions) ? opts.preconditions : {};
    if (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) info.query.dryRun = 'All';
    const obj = await this.write(info, async (tx) => {
      const cur = await this.storedForWrite(info, tx, 'delete');
      if (!cur) throw errors.notFound(t.plural, t.group, info.name!);
      if (pre.uid !== undefined && pre.uid !== cur.object.metadata.uid) {
        throw errors.conflict(
          t.plural,
          t.group,
          info.name!,
          `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${cur.object.metadata.uid}`,
        );
      }
      if (pre.resourceVersion !== undefined && pre.resourceVersion !== cur.object.metadata.resourceVersion) {
        throw errors.conflict(
          t.plural,
          t.group,
          info.name!,
          `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${cur.object.metadata.resourceVersion}`,
        );
      }
      return this.deleteStored(info, tx, cur);
    });
    return { code: 200, body: obj };
  }

  /**
   * DELETE on a collection: every object the selectors match, as DELETE would (finalizers apply), in one
   * transaction — all of them or, when any one is refused, none (the refusal is the answer). Returns the list of
   * what was deleted or marked for deletion, as kube-apiserver does.
   */
  async deleteCollection(info: RequestInfo, visible: (o: KObject) => boolean = () => true): Promise<Response> {
    const t = info.type;
    const labels = parseLabelSelector(info.query.labelSelector);
    const fields = parseFieldSelector(info.query.fieldSelector);
    const items = await this.write(info, async (tx) => {
      const listed = await tx.list(storeKey(t), {
        namespace: t.namespaced && info.namespace ? info.namespace : undefined,
      });
      const out: KObject[] = [];
      for (const cur of listed) {
        if (!labels(cur.object.metadata.labels) || !fields(cur.object) || !visible(cur.object)) continue;
        const one = { ...info, name: cur.name, namespace: cur.namespace };
        for (const p of this.opts.admission ?? [])
          p.authorizeStored?.({ op: 'delete', type: t, old: cur.object, user: info.user });
        out.push(await this.deleteStored(one, tx, cur));
      }
      return out;
    });
    return { code: 200, body: { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: {}, items } };
  }

  private async deleteStored(info: RequestInfo, tx: StoreTx, cur: StoredObject): Promise<KObject> {
    const t = info.type;
    await this.admit('delete', info, tx, undefined, cur.object);
    if ((cur.object.metadata.finalizers ?? []).length) {
      // Finalizers hold the object: it only gets a deletionTimestamp until the last one is removed.
      if (cur.object.metadata.deletionTimestamp) return cur.object;
      const next = deepClone(cur.object);
      next.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.generation = (next.metadata.generation ?? 1) + 1;
      return (await tx.put(storeKey(t), cur.namespace, cur.name, next, cur)).object;
    }
    return (await tx.remove(cur)).object;
  }
}
