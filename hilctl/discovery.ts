// Which resource a KIND argument means, from the server's discovery (/api/v1, /apis, /apis/G/V), so short names
// (hn, hnet, hna), plurals, singulars, Kinds, `nodes.hil.io` and categories (`hil`) work for every kind the
// server serves — Secrets, Events and Leases included — exactly as kubectl resolves them.
import type { ApiClient } from './client.js';
import { CliError } from './errors.js';

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  /** The plural, the path segment (`nodes`). */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
}

export function apiVersionOf(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `nodes.hil.io`, `secrets`: how kubectl names a resource type in messages. */
export function qualifiedName(r: ResourceInfo): string {
  return r.group ? `${r.name}.${r.group}` : r.name;
}

/** `node.hil.io/node-01`, `secret/x`: how kubectl names an object in `apply` and `-o name` output. */
export function objectRef(r: Pick<ResourceInfo, 'group' | 'kind'>, name: string): string {
  return `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}/${name}`;
}

function prefix(r: ResourceInfo): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The collection path; namespaced kinds without a namespace list across all namespaces. */
export function collectionPath(r: ResourceInfo, namespace?: string): string {
  if (r.namespaced && namespace) return `${prefix(r)}/namespaces/${encodeURIComponent(namespace)}/${r.name}`;
  return `${prefix(r)}/${r.name}`;
}

export function objectPath(r: ResourceInfo, name: string, namespace?: string, subresource?: string): string {
  if (r.namespaced && !namespace)
    throw new CliError(`${qualifiedName(r)} is namespaced: a namespace is needed for "${name}"`);
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

export class Discovery {
  constructor(readonly resources: ResourceInfo[]) {}

  /** Reads the server's discovery documents (the core group and each group's preferred version). */
  static async load(client: ApiClient): Promise<Discovery> {
    const lists: Promise<ResourceInfo[]>[] = [];
    const fromList = (group: string, version: string, body: any): ResourceInfo[] =>
      ((body?.resources ?? []) as any[])
        .filter((r) => typeof r?.name === 'string' && !r.name.includes('/'))
        .map((r) => ({
          group,
          version,
          name: r.name,
          singularName: r.singularName || String(r.kind ?? '').toLowerCase(),
          kind: r.kind,
          namespaced: !!r.namespaced,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          verbs: r.verbs ?? [],
        }));
    const core = client.get('/api').then(
      (api: any) => (api?.versions ?? []).includes('v1'),
      () => false,
    );
    lists.push(core.then((has) => (has ? client.get('/api/v1').then((b) => fromList('', 'v1', b)) : [])));
    const groups = await client.get('/apis');
    for (const g of (groups?.groups ?? []) as any[]) {
      const v = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (!v) continue;
      // One group that fails discovery (an aggregated API that is down) must not break every command.
      lists.push(
        client.get(`/apis/${g.name}/${v}`).then(
          (b) => fromList(g.name, v, b),
          () => [],
        ),
      );
    }
    return new Discovery((await Promise.all(lists)).flat());
  }

  /** Every resource of a category (`hil`), in name order. */
  category(name: string): ResourceInfo[] {
    return this.resources.filter((r) => r.categories.includes(name)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A hil.io kind, which the server must serve. */
  hil(kind: string): ResourceInfo {
    const r = this.resources.find((x) => x.group === 'hil.io' && x.kind === kind);
    if (!r) throw new CliError(`the server does not serve hil.io ${kind} objects (is this a HIL API server?)`);
    return r;
  }

  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return (
      this.resources.find((r) => r.group === group && r.version === version && r.kind === kind) ??
      // A version the server does not prefer: still the same kind in the same group.
      this.resources.find((r) => r.group === group && r.kind === kind)
    );
  }

  /**
   * Resolves one KIND argument: `nodes.hil.io`, `nodes.v1alpha1.hil.io`, `node.hil.io`, `Node.hil.io`, `nodes`,
   * `node`, `hn`, `Node`, or a category (`hil`), which gives several. The core group wins ties, as in kubectl.
   */
  resolve(arg: string): ResourceInfo[] {
    const want = arg.trim().toLowerCase();
    if (!want) throw new CliError('a resource type is needed (e.g. hn, nodes.hil.io, secrets)');
    const matchesName = (r: ResourceInfo, n: string) =>
      r.name === n ||
      r.singularName === n ||
      r.kind.toLowerCase() === n ||
      r.shortNames.some((s) => s.toLowerCase() === n);
    const order = (rs: ResourceInfo[]) => [...rs].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : 0));
    // name.group or name.version.group
    if (want.includes('.')) {
      const [n, ...rest] = want.split('.');
      const tail = rest.join('.');
      const qualified = this.resources.filter(
        (r) =>
          (r.group === tail || `${r.version}.${r.group}` === tail) &&
          (r.name === n || r.singularName === n || r.kind.toLowerCase() === n),
      );
      if (qualified.length) return [qualified[0]];
    }
    const exact = order(this.resources.filter((r) => matchesName(r, want)));
    if (exact.length) return [exact[0]];
    const cat = this.category(want);
    if (cat.length) return cat;
    throw new CliError(`the server doesn't have a resource type "${arg}"\n  hint: "hilctl api-resources" lists them`);
  }

  /** Resolves a comma-separated list (`hn,hnet`) into distinct resources, in the order given. */
  resolveList(arg: string): ResourceInfo[] {
    const out: ResourceInfo[] = [];
    for (const part of arg.split(',').filter(Boolean)) {
      for (const r of this.resolve(part)) if (!out.some((o) => o.group === r.group && o.name === r.name)) out.push(r);
    }
    return out;
  }

  /** Exactly one resource; a category is refused. */
  resolveOne(arg: string): ResourceInfo {
    const rs = this.resolveList(arg);
    if (rs.length !== 1) throw new CliError(`"${arg}" names ${rs.length} resource types; name exactly one here`);
    return rs[0];
  }
}
