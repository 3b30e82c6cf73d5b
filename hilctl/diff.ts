// `hilctl diff -f`: what `apply` would change, as a unified diff of the live object against the server's dry-run
// apply of the file (so defaults, validation and admission are the server's own). Exit 0: no changes, 1: changes,
// 2: an error (an object the server refuses, an unreadable file), as kubectl diff.
import { applyErrorText, applyObject, findPruneVictims, planObjects } from './apply.js';
import type { ResourceInfo } from './discovery.js';
import { CliError, ConnectionError, StatusError } from './errors.js';
import { readAll, readManifests } from './manifests.js';
import { toYaml } from './printers.js';
import type { Session } from './session.js';
import { unifiedHunks } from './unified-diff.js';

export interface DiffOptions {
  filename: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  prune?: boolean;
  selector?: string;
  pruneAllowlist?: string[];
}

/** What is compared: everything but the bookkeeping that changes on every write. */
export function comparable(obj: any): string {
  if (!obj) return '';
  const { managedFields: _m, resourceVersion: _r, ...metadata } = obj.metadata ?? {};
  return toYaml({ ...obj, metadata });
}

/** `hil.io.v1alpha1.Node..node-01`, kubectl diff's file names. */
export function diffName(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${r.group ? `${r.group}.` : ''}${r.version}.${r.kind}.${namespace ?? ''}.${name}`;
}

export function fileDiff(label: string, before: string, after: string): string {
  const hunks = unifiedHunks(before, after);
  if (!hunks) return '';
  return `diff -u -N live/${label} merged/${label}\n--- live/${label}\n+++ merged/${label}\n${hunks}`;
}

export async function runDiff(s: Session, o: DiffOptions): Promise<number> {
  if (!o.filename?.length) throw new CliError('diff needs -f FILE|FOLDER|-');
  if (o.prune && !o.selector) throw new CliError('--prune needs -l SELECTOR');
  const read = await readManifests(o.filename, !!o.recursive, () => readAll(s.io.stdin));
  let error = false;
  let changed = false;
  for (const e of read.errors) {
    s.err(`error: ${e}`);
    error = true;
  }
  const d = await s.discovery();
  const { planned, errors } = planObjects(s, d, read.docs);
  for (const e of errors) {
    s.err(`error: ${e}`);
    error = true;
  }
  for (const p of planned) {
    let live: any;
    let merged: any;
    try {
      const r = await applyObject(s, p.resource, p.doc.object, p.namespace, {
        dryRun: 'server',
        force: o.forceConflicts,
      });
      live = r.before;
      merged = r.object;
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      if (!(err instanceof StatusError) && !(err instanceof CliError)) throw err;
      s.err(applyErrorText(p, err, s.opts.verbose));
      error = true;
      continue;
    }
    const text = fileDiff(
      diffName(p.resource, p.namespace, p.doc.object.metadata.name!),
      comparable(live),
      comparable(merged),
    );
    if (text) {
      changed = true;
      s.write(text);
    }
  }
  if (o.prune && !error) {
    for (const v of await findPruneVictims(s, d, planned, o.selector!, o.pruneAllowlist)) {
      changed = true;
      s.write(fileDiff(diffName(v.r, v.namespace, v.name), comparable(v.object), ''));
    }
  }
  if (error) return 2;
  return changed ? 1 : 0;
}
