// `hilctl apply -f`: server-side apply of every object in the files (field manager `hilctl`, strict field
// validation), in an order that works whatever the file order, one line per object (created / configured /
// unchanged), every failure named by file, document and field while the rest still applies, and `--prune -l`
// for GitOps: objects with that label that are no longer in the files are deleted.
import { collectionPath, objectPath, objectRef, type Discovery, type ResourceInfo } from './discovery.js';
import { CliError, ConnectionError, formatError, StatusError } from './errors.js';
import { matchesSelector, parseSelector } from './labels.js';
import { readAll, readManifests, whereIs, type KObject, type ManifestDoc } from './manifests.js';
import { sortForApply, sortForDelete } from './order.js';
import type { Session } from './session.js';

export const FIELD_MANAGER = 'hilctl';

export interface ApplyOptions {
  filename: string[];
  recursive?: boolean;
  dryRun?: string;
  forceConflicts?: boolean;
  prune?: boolean;
  selector?: string;
  pruneAllowlist?: string[];
  output?: string;
}

export type DryRunMode = 'none' | 'server';

export function parseDryRun(v: string | boolean | undefined): DryRunMode {
  if (v === undefined || v === false || v === 'none') return 'none';
  if (v === true || v === 'server') return 'server';
  if (v === 'client') {
    throw new CliError(
      '--dry-run=client is not supported: use --dry-run=server (the server validates and admits the change, and stores nothing)',
    );
  }
  throw new CliError(`--dry-run must be "none" or "server", not "${v}"`);
}

export const dryRunSuffix = (mode: DryRunMode) => (mode === 'server' ? ' (server dry run)' : '');

/** An object from the files, resolved to its resource and namespace. */
export interface PlannedObject {
  doc: ManifestDoc;
  resource: ResourceInfo;
  namespace?: string;
  ref: string;
  key: string;
}

export function identityKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${r.group}/${r.kind}/${namespace ?? ''}/${name}`;
}

/** Resolves each document's kind through discovery; problems become messages (the rest still goes ahead). */
export function planObjects(
  s: Session,
  d: Discovery,
  docs: ManifestDoc[],
): { planned: PlannedObject[]; errors: string[] } {
  const planned: PlannedObject[] = [];
  const errors: string[] = [];
  const seen = new Map<string, ManifestDoc>();
  for (const doc of docs) {
    const o = doc.object;
    const r = d.byKind(o.apiVersion, o.kind);
    if (!r) {
      errors.push(
        `${whereIs(doc)}: the server has no kind "${o.kind}" in "${o.apiVersion}" (is the apiVersion right?)`,
      );
      continue;
    }
    const namespace = r.namespaced ? o.metadata.namespace || s.namespace : undefined;
    const key = identityKey(r, namespace, o.metadata.name!);
    const ref = objectRef(r, o.metadata.name!);
    const earlier = seen.get(key);
    if (earlier) {
      errors.push(`${whereIs(doc)}: ${ref} is defined twice (also in ${whereIs(earlier)}); this copy is skipped`);
      continue;
    }
    seen.set(key, doc);
    planned.push({ doc, resource: r, namespace, ref, key });
  }
  return { planned: sortForApply(planned, (p) => p.resource.kind), errors };
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** One server-side apply; the action is told apart by the answer code and whether the resourceVersion moved. */
export async function applyObject(
  s: Session,
  r: ResourceInfo,
  obj: KObject,
  namespace: string | undefined,
  opts: { dryRun: DryRunMode; force?: boolean; fieldManager?: string },
): Promise<{ action: ApplyAction; object: any; before?: any }> {
  const name = obj.metadata.name!;
  const path = objectPath(r, name, namespace);
  const body: KObject = { ...obj, metadata: { ...obj.metadata } };
  if (r.namespaced) body.metadata.namespace = namespace;
  else delete body.metadata.namespace;
  const before = await s.client.getIfExists(path);
  const res = await s.client.request('PATCH', path, {
    query: {
      fieldManager: opts.fieldManager ?? FIELD_MANAGER,
      fieldValidation: 'Strict',
      force: opts.force ? 'true' : undefined,
      dryRun: opts.dryRun === 'server' ? 'All' : undefined,
    },
    body,
    contentType: 'application/apply-patch+yaml',
  });
  let action: ApplyAction;
  if (res.status === 201 || !before) action = 'created';
  else action = res.body?.metadata?.resourceVersion === before.metadata?.resourceVersion ? 'unchanged' : 'configured';
  return { action, object: res.body, before };
}

/** `error: FILE (document N, line L): kind.group/name: Error from server (…): …` */
export function applyErrorText(p: PlannedObject, err: unknown, verbose?: boolean): string {
  const text = formatError(err, verbose).replace(/^error: /, '');
  return `error: ${whereIs(p.doc)}: ${p.ref}: ${text}`;
}

export async function runApply(s: Session, o: ApplyOptions): Promise<number> {
  if (!o.filename?.length) throw new CliError('apply needs -f FILE|FOLDER|- (the objects to apply)');
  const dryRun = parseDryRun(o.dryRun);
  if (o.prune && !o.selector) {
    throw new CliError('--prune needs -l SELECTOR: only objects carrying that label are considered for deletion');
  }
  if (o.output && o.output !== 'name') throw new CliError('apply prints one line per object; -o accepts only "name"');
  const read = await readManifests(o.filename, !!o.recursive, () => readAll(s.io.stdin));
  let failed = false;
  for (const e of read.errors) {
    s.err(`error: ${e}`);
    failed = true;
  }
  const d = await s.discovery();
  const { planned, errors } = planObjects(s, d, read.docs);
  for (const e of errors) {
    s.err(`error: ${e}`);
    failed = true;
  }
  const selector = o.selector ? parseSelector(o.selector) : undefined;
  const suffix = dryRunSuffix(dryRun);
  for (const p of planned) {
    if (selector && !matchesSelector(selector, p.doc.object.metadata.labels)) {
      s.warn(`${p.ref} (${whereIs(p.doc)}) skipped: its labels do not match -l ${o.selector}`);
      continue;
    }
    try {
      const { action } = await applyObject(s, p.resource, p.doc.object, p.namespace, {
        dryRun,
        force: o.forceConflicts,
      });
      s.out(o.output === 'name' ? p.ref : `${p.ref} ${action}${suffix}`);
    } catch (err) {
      if (err instanceof ConnectionError) throw err; // nothing else will get through either
      if (!(err instanceof StatusError) && !(err instanceof CliError)) throw err;
      s.err(applyErrorText(p, err, s.opts.verbose));
      failed = true;
    }
  }
  if (o.prune) {
    if (read.errors.length || errors.some((e) => !/defined twice/.test(e))) {
      s.err('error: not pruning: some files or documents could not be read, so what is missing from them is unknown');
      failed = true;
    } else {
      await prune(s, d, planned, o, dryRun);
    }
  }
  return failed ? 1 : 0;
}

export interface PruneVictim {
  r: ResourceInfo;
  name: string;
  namespace?: string;
  object: any;
}

/**
 * The objects `--prune -l SELECTOR` deletes: they carry the selector's labels but are not in the files. Kinds:
 * --prune-allowlist, else every HIL kind (so removing the last object of a kind from the files prunes it too)
 * plus the other kinds the files contain (Secrets, …), in the namespaces the files use.
 */
export async function findPruneVictims(
  s: Session,
  d: Discovery,
  planned: PlannedObject[],
  selector: string,
  allowlist?: string[],
): Promise<PruneVictim[]> {
  const keep = new Set(planned.map((p) => p.key));
  let kinds: ResourceInfo[];
  if (allowlist?.length) kinds = allowlist.flatMap((k) => d.resolveList(k));
  else {
    kinds = [...d.category('hil')];
    for (const p of planned) if (!kinds.includes(p.resource)) kinds.push(p.resource);
  }
  const namespaces = [...new Set(planned.map((p) => p.namespace).filter((n): n is string => !!n))];
  if (!namespaces.length) namespaces.push(s.namespace);
  const victims: PruneVictim[] = [];
  for (const r of kinds) {
    if (!r.verbs.includes('list') || !r.verbs.includes('delete')) continue;
    for (const ns of r.namespaced ? namespaces : [undefined]) {
      const list = await s.client.get(collectionPath(r, ns), { labelSelector: selector });
      for (const item of list?.items ?? []) {
        const name = item.metadata?.name;
        const namespace = r.namespaced ? item.metadata?.namespace : undefined;
        if (!name || keep.has(identityKey(r, namespace, name)) || item.metadata?.deletionTimestamp) continue;
        victims.push({
          r,
          name,
          namespace,
          object: { apiVersion: `${r.group ? `${r.group}/` : ''}${r.version}`, kind: r.kind, ...item },
        });
      }
    }
  }
  return sortForDelete(victims, (x) => x.r.kind);
}

/** Deletes the objects with the selector's labels that the files no longer contain. */
async function prune(
  s: Session,
  d: Discovery,
  planned: PlannedObject[],
  o: ApplyOptions,
  dryRun: DryRunMode,
): Promise<void> {
  for (const v of await findPruneVictims(s, d, planned, o.selector!, o.pruneAllowlist)) {
    try {
      await s.client.request('DELETE', objectPath(v.r, v.name, v.namespace), {
        query: { dryRun: dryRun === 'server' ? 'All' : undefined },
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      });
      s.out(`${objectRef(v.r, v.name)} pruned${dryRunSuffix(dryRun)}`);
    } catch (err) {
      if (err instanceof StatusError && err.httpStatus === 404) continue;
      throw err;
    }
  }
}
