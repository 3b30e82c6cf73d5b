// What a command's arguments point at, the way kubectl reads them: `KIND`, `KIND NAME…`, `KIND/NAME…`,
// `KIND1,KIND2`, or the objects named in `-f` files.
import type { Discovery, ResourceInfo } from './discovery.js';
import { CliError } from './errors.js';
import { readAll, readManifests, whereIs } from './manifests.js';
import type { Session } from './session.js';

export interface TargetGroup {
  resource: ResourceInfo;
  /** Names given; empty means "all of this kind" (subject to selectors). */
  names: string[];
  /** Per-name namespace, for objects read from files; otherwise the session's. */
  namespaces?: (string | undefined)[];
}

export function parseTypeArgs(d: Discovery, args: string[]): TargetGroup[] {
  if (!args.length) return [];
  if (args.some((a) => a.includes('/'))) {
    if (!args.every((a) => a.includes('/'))) {
      throw new CliError(
        'there is no need to give a resource type separately when using KIND/NAME arguments; write every object as KIND/NAME',
      );
    }
    const groups: TargetGroup[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      const kind = a.slice(0, i);
      const name = a.slice(i + 1);
      if (!name) throw new CliError(`"${a}": a name is needed after the /`);
      const r = d.resolveOne(kind);
      let g = groups.find((x) => x.resource === r);
      if (!g) groups.push((g = { resource: r, names: [] }));
      g.names.push(name);
    }
    return groups;
  }
  const [types, ...names] = args;
  // Several types with names (`hn,hnet x`): as kubectl, each name is looked up in every type.
  return d.resolveList(types).map((r) => ({ resource: r, names: [...names] }));
}

/** The objects named in -f files, grouped by kind (the files' contents are not applied). */
export async function targetsFromFiles(s: Session, files: string[], recursive: boolean): Promise<TargetGroup[]> {
  const d = await s.discovery();
  const read = await readManifests(files, recursive, () => readAll(s.io.stdin));
  if (read.errors.length) throw new CliError(read.errors.join('\n'));
  const groups: TargetGroup[] = [];
  for (const doc of read.docs) {
    const r = d.byKind(doc.object.apiVersion, doc.object.kind);
    if (!r)
      throw new CliError(`${whereIs(doc)}: the server has no kind ${doc.object.kind} in ${doc.object.apiVersion}`);
    let g = groups.find((x) => x.resource === r);
    if (!g) groups.push((g = { resource: r, names: [], namespaces: [] }));
    g.names.push(doc.object.metadata.name!);
    g.namespaces!.push(r.namespaced ? (doc.object.metadata.namespace ?? s.namespace) : undefined);
  }
  return groups;
}

export function namespaceFor(s: Session, g: TargetGroup, i: number): string | undefined {
  if (!g.resource.namespaced) return undefined;
  return g.namespaces?.[i] ?? s.namespace;
}
