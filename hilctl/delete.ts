// `hilctl delete -f PATH | KIND NAME… | KIND -l SELECTOR | KIND --all`: dependents first when the objects come
// from files, and (by default, as kubectl) waiting until each object is really gone — finalizers keep an
// attachment until its switch port is reverted, and a Network or Node until its attachments are gone.
import { collectionPath, objectPath, qualifiedName, type ResourceInfo } from './discovery.js';
import { dryRunSuffix, parseDryRun } from './apply.js';
import { CliError, formatError, StatusError } from './errors.js';
import { sortForDelete } from './order.js';
import type { Session } from './session.js';
import { namespaceFor, parseTypeArgs, targetsFromFiles } from './targets.js';
import { deadlineFrom, waitForObject } from './wait.js';

export interface DeleteOptions {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  ignoreNotFound?: boolean;
  wait?: boolean;
  timeout?: string;
  dryRun?: string;
  output?: string;
}

interface Victim {
  r: ResourceInfo;
  name: string;
  namespace?: string;
}

/** `nodes.hil.io "node-01"`: how kubectl names the object in delete messages. */
export function deletedName(r: ResourceInfo, name: string): string {
  return `${qualifiedName(r)} "${name}"`;
}

export async function runDelete(s: Session, args: string[], o: DeleteOptions): Promise<number> {
  const dryRun = parseDryRun(o.dryRun);
  const wait = o.wait !== false && dryRun === 'none';
  if (o.output && o.output !== 'name') throw new CliError('delete accepts only -o name');
  const d = await s.discovery();
  let victims: Victim[] = [];
  if (o.filename?.length) {
    if (args.length) throw new CliError('give either -f or resource arguments, not both');
    for (const g of await targetsFromFiles(s, o.filename, !!o.recursive)) {
      g.names.forEach((name, i) => victims.push({ r: g.resource, name, namespace: namespaceFor(s, g, i) }));
    }
    victims = sortForDelete(victims, (v) => v.r.kind);
  } else {
    const groups = parseTypeArgs(d, args);
    if (!groups.length)
      throw new CliError(
        'delete needs -f FILE or a resource type (e.g. "hilctl delete hna NAME", "hilctl delete hn -l rack=r1")',
      );
    for (const g of groups) {
      if (g.names.length) {
        if (o.selector || o.all) throw new CliError('names cannot be combined with -l or --all');
        g.names.forEach((name, i) => victims.push({ r: g.resource, name, namespace: namespaceFor(s, g, i) }));
      } else if (o.selector || o.all || o.fieldSelector) {
        const ns = g.resource.namespaced ? s.namespace : undefined;
        const l = await s.client.get(collectionPath(g.resource, ns), {
          labelSelector: o.selector,
          fieldSelector: o.fieldSelector,
        });
        for (const item of l?.items ?? []) victims.push({ r: g.resource, name: item.metadata.name, namespace: ns });
      } else {
        throw new CliError(
          `resource(s) were provided, but no name was given: name the ${qualifiedName(g.resource)} to delete, or use -l SELECTOR or --all`,
        );
      }
    }
    if (!victims.length) {
      s.err('No resources found');
      return 0;
    }
  }

  let failed = false;
  const deleted: (Victim & { uid?: string })[] = [];
  for (const v of victims) {
    try {
      const res = await s.client.request('DELETE', objectPath(v.r, v.name, v.namespace), {
        query: { dryRun: dryRun === 'server' ? 'All' : undefined },
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      });
      s.out(
        o.output === 'name'
          ? `${v.r.kind.toLowerCase()}${v.r.group ? `.${v.r.group}` : ''}/${v.name}`
          : `${deletedName(v.r, v.name)} deleted${dryRunSuffix(dryRun)}`,
      );
      deleted.push({ ...v, uid: res.body?.metadata?.uid });
    } catch (err) {
      if (err instanceof StatusError && err.httpStatus === 404) {
        if (!o.ignoreNotFound) {
          s.err(formatError(err));
          failed = true;
        }
        continue;
      }
      if (err instanceof StatusError) {
        s.err(formatError(err));
        failed = true;
        continue;
      }
      throw err;
    }
  }

  if (wait && deleted.length) {
    // --timeout 0 (the default) waits as long as it takes, as kubectl.
    const deadline = !o.timeout || o.timeout === '0' ? Date.now() + 7 * 86_400_000 : deadlineFrom(o.timeout, 0);
    for (const v of deleted) {
      const r = await waitForObject(s, v.r, v.name, v.namespace, { t: 'delete' }, deadline, {
        uid: v.uid,
        onSlow: (obj) => {
          const fins: string[] = obj?.metadata?.finalizers ?? [];
          if (fins.length) {
            s.err(
              `waiting for ${deletedName(v.r, v.name)} to go: finalizers ${fins.join(', ')} remain (the controllers remove them when the cleanup is done; Ctrl-C stops waiting, not the deletion)`,
            );
          }
        },
      });
      if (r === 'timeout') {
        s.err(`error: timed out waiting for ${deletedName(v.r, v.name)} to be deleted`);
        failed = true;
      }
    }
  }
  return failed ? 1 : 0;
}
