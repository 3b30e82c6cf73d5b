// The kinds the server serves. Custom kinds come from the CRDs in crds/ (the single source of truth for their
// schemas); the few core kinds controllers need (Namespace, Secret, Event, Lease) are described in builtin-types.ts
// in the same shape, so every handler treats all kinds alike.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { builtinTypes } from './builtin-types.js';

export {
  apiVersionOf,
  storeKey,
  VERBS_ALL,
  type JSONSchema,
  type PrinterColumn,
  type ResourceType,
} from './resource-type.js';
import type { ResourceType } from './resource-type.js';

export function typesFromCrd(crd: any, source: string): ResourceType[] {
  if (crd?.apiVersion !== 'apiextensions.k8s.io/v1' || crd?.kind !== 'CustomResourceDefinition') {
    throw new Error(`${source}: not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  }
  const { group, names, scope, versions } = crd.spec;
  return (versions as any[])
    .filter((v) => v.served)
    .map((v) => ({
      group,
      version: v.name,
      plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced: scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      schema: v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      printerColumns: v.additionalPrinterColumns ?? [
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      statusSubresource: Boolean(v.subresources?.status),
      strategicMerge: false,
    }));
}

export function loadCrds(dir: string): { types: ResourceType[]; crds: any[] } {
  const crds: any[] = [];
  const types: ResourceType[] = [];
  // crds/kustomization.yaml (kustomize's view of the folder, for manifests/) is not a CRD.
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of yaml.loadAll(readFileSync(join(dir, file), 'utf8'))) {
      if (!doc) continue;
      crds.push(doc);
      types.push(...typesFromCrd(doc, file));
    }
  }
  return { types, crds };
}

export class Registry {
  private readonly byPath = new Map<string, ResourceType>();
  readonly types: ResourceType[];

  constructor(types: ResourceType[]) {
    this.types = types;
    for (const t of types) {
      const key = `${t.group}/${t.version}/${t.plural}`;
      if (this.byPath.has(key)) throw new Error(`resource ${key} is defined twice`);
      this.byPath.set(key, t);
    }
  }

  static fromCrdDir(dir: string): Registry {
    return new Registry([...builtinTypes(), ...loadCrds(dir).types]);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** group → versions → types, for discovery. */
  groups(): Map<string, Map<string, ResourceType[]>> {
    const out = new Map<string, Map<string, ResourceType[]>>();
    for (const t of this.types) {
      const g = out.get(t.group) ?? new Map<string, ResourceType[]>();
      const list = g.get(t.version) ?? [];
      list.push(t);
      g.set(t.version, list);
      out.set(t.group, g);
    }
    return out;
  }
}
