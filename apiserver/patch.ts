// The patch formats: JSON merge patch (RFC 7386, what kubectl apply sends for custom kinds), JSON patch
// (RFC 6902, client-node's default), strategic merge patch (built-in kinds only; a reduced form, see below) and
// server-side apply (field sets per manager in metadata.managedFields).
import jsonpatch from 'fast-json-patch';
import { ApiError, errors } from './errors.js';
import { deepClone, deepEqual, isPlainObject, own, setOwn, type KObject, type ManagedFieldsEntry } from './object.js';

/** RFC 7386: objects merge recursively, null deletes, everything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, mergePatch(own(out, k), v));
  }
  return out;
}

export function applyJsonPatch(target: KObject, ops: unknown): KObject {
  if (!Array.isArray(ops)) throw errors.badRequest('a JSON patch must be a list of operations');
  try {
    const res = jsonpatch.applyPatch(deepClone(target), ops as jsonpatch.Operation[], true, false);
    return res.newDocument;
  } catch (err: any) {
    if (err?.name === 'TEST_OPERATION_FAILED') {
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: test operation failed: ${err.message?.split('\n')[0]}`,
      );
    }
    const msg = String(err?.message ?? err).split('\n')[0];
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${msg}`);
  }
}

/**
 * Strategic merge patch, as far as the built-in kinds we serve need it: a merge patch where directive keys
 * ($setElementOrder/…, $retainKeys, $patch) are honoured or dropped, and metadata.finalizers — a merge list in
 * ObjectMeta — is merged as a set, with $deleteFromPrimitiveList/finalizers removing entries.
 */
export function strategicMergePatch(target: KObject, patch: unknown): KObject {
  if (!isPlainObject(patch)) throw errors.badRequest('a strategic merge patch must be an object');
  const strip = (p: unknown): unknown => {
    if (!isPlainObject(p)) return p;
    if (p.$patch === 'delete') return null;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) {
      if (k.startsWith('$')) continue;
      setOwn(out, k, strip(v));
    }
    return out;
  };
  const meta = isPlainObject(patch.metadata) ? patch.metadata : undefined;
  const result = mergePatch(target, strip(patch)) as KObject;
  if (meta && (Array.isArray(meta.finalizers) || Array.isArray(meta['$deleteFromPrimitiveList/finalizers']))) {
    const set = new Set<string>(target.metadata.finalizers ?? []);
    for (const f of (meta.finalizers as string[] | undefined) ?? []) set.add(f);
    for (const f of (meta['$deleteFromPrimitiveList/finalizers'] as string[] | undefined) ?? []) set.delete(f);
    result.metadata.finalizers = [...set];
  }
  return result;
}

// ---- server-side apply -----------------------------------------------------------------------------------

type FieldSet = Record<string, unknown>;

/** Metadata fields the server owns; they are never part of a manager's field set. */
const SERVER_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'managedFields',
  'selfLink',
]);

/** The fieldsV1 set of an object: `{"f:spec": {"f:owner": {}}}`. Lists are atomic (owned as a whole). */
export function fieldSetOf(value: unknown, top = true): FieldSet {
  const out: FieldSet = {};
  if (!isPlainObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (top && (k === 'apiVersion' || k === 'kind')) continue;
    if (top && k === 'metadata') {
      const m: FieldSet = {};
      for (const [mk, mv] of Object.entries(v as object))
        if (!SERVER_META.has(mk)) m[`f:${mk}`] = isPlainObject(mv) ? fieldSetOf(mv, false) : {};
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    out[`f:${k}`] = isPlainObject(v) && Object.keys(v).length ? fieldSetOf(v, false) : {};
  }
  return out;
}

function leafPaths(set: FieldSet, prefix: string[] = [], out: string[][] = []): string[][] {
  for (const [k, v] of Object.entries(set)) {
    const p = [...prefix, k.slice(2)];
    if (isPlainObject(v) && Object.keys(v).length) leafPaths(v, p, out);
    else out.push(p);
  }
  return out;
}

function hasPath(set: FieldSet, path: string[]): boolean {
  let cur: unknown = set;
  for (const seg of path) {
    if (!isPlainObject(cur)) return false;
    const next = cur[`f:${seg}`];
    if (next === undefined) return isPlainObject(cur) && Object.keys(cur).length === 0 && cur !== set;
    cur = next;
  }
  return true;
}

function deletePath(obj: Record<string, any>, path: string[]): void {
  const parents: Record<string, any>[] = [];
  let cur: any = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(cur[seg])) return;
    parents.push(cur);
    cur = cur[seg];
  }
  delete cur[path[path.length - 1]];
  // Drop maps the removal emptied (but never the top-level sections).
  for (let i = path.length - 2; i >= 1; i--) {
    const parent = parents[i];
    const key = path[i];
    if (isPlainObject(parent[key]) && Object.keys(parent[key]).length === 0) delete parent[key];
    else break;
  }
}

/** Objects merge, everything else replaces: the applied configuration laid over the live object. */
function overlay(live: unknown, applied: unknown): unknown {
  if (!isPlainObject(applied) || !isPlainObject(live)) return deepClone(applied);
  const out: Record<string, unknown> = { ...live };
  for (const [k, v] of Object.entries(applied)) setOwn(out, k, overlay(own(live, k), v));
  return out;
}

export interface ApplyResult {
  object: KObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined: create). Fields this manager applied
 * before and no longer applies are removed, unless another manager also owns them. Conflicts with other managers
 * are detected for fields another appliers owns with a different value (409 unless force).
 */
export function serverSideApply(
  live: KObject | undefined,
  applied: KObject,
  manager: string,
  force: boolean,
  apiVersion: string,
  now: string,
): ApplyResult {
  const mine = fieldSetOf(applied);
  const entries = (live?.metadata.managedFields ?? []).filter(
    (e) => !(e.manager === manager && e.operation === 'Apply'),
  );
  const previous = live?.metadata.managedFields?.find((e) => e.manager === manager && e.operation === 'Apply');
  if (live && !force) {
    const conflicts: string[] = [];
    for (const e of entries.filter((x) => x.operation === 'Apply')) {
      for (const path of leafPaths(mine)) {
        if (!hasPath(e.fieldsV1, path)) continue;
        const get = (o: any) => path.reduce((v, k) => (v == null ? v : v[k]), o);
        if (!deepEqual(get(live), get(applied))) conflicts.push(`conflict with "${e.manager}": .${path.join('.')}`);
      }
    }
    if (conflicts.length) {
      throw new ApiError(
        409,
        'Conflict',
        `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.join(', ')}`,
        {
          causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: c })),
        },
      );
    }
  }
  const base: KObject = live ? deepClone(live) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const result = overlay(base, applied) as KObject;
  if (previous) {
    for (const path of leafPaths(previous.fieldsV1)) {
      if (hasPath(mine, path)) continue;
      if (entries.some((e) => hasPath(e.fieldsV1, path))) continue;
      if (path[0] === 'metadata' && SERVER_META.has(path[1] ?? '')) continue;
      deletePath(result, path);
    }
  }
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: mine,
  };
  return { object: result, managedFields: [...entries, entry] };
}

/** Records an Update by `manager`: it now owns the fields it changed. */
export function recordUpdate(
  before: KObject | undefined,
  after: KObject,
  manager: string,
  apiVersion: string,
  now: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const entries = [...(before?.metadata.managedFields ?? after.metadata.managedFields ?? [])];
  const changed: FieldSet = {};
  const beforeSet = before ? fieldSetOf(before) : {};
  for (const path of leafPaths(fieldSetOf(after))) {
    const get = (o: any) => path.reduce((v, k) => (v == null ? v : v[k]), o);
    if (before && hasPath(beforeSet, path) && deepEqual(get(before), get(after))) continue;
    let cur = changed;
    for (const seg of path.slice(0, -1)) cur = (cur[`f:${seg}`] ??= {}) as FieldSet;
    cur[`f:${path[path.length - 1]}`] = {};
  }
  if (!Object.keys(changed).length) return entries;
  const idx = entries.findIndex(
    (e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource,
  );
  const merged = idx >= 0 ? (mergePatch(entries[idx].fieldsV1, changed) as FieldSet) : changed;
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Update',
    apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: merged,
    ...(subresource ? { subresource } : {}),
  };
  if (idx >= 0) entries[idx] = entry;
  else entries.push(entry);
  return entries;
}
