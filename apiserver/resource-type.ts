// What the server knows of one kind: names, scope, schema, printer columns, subresources. Every handler works from
// a ResourceType; where they come from is registry.ts (CRDs) and builtin-types.ts (the core kinds).

export type JSONSchema = Record<string, any>;

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** The openAPIV3Schema of the whole object (spec, status, …; metadata is handled by the server). */
  schema: JSONSchema;
  printerColumns: PrinterColumn[];
  /** Has a /status subresource: the main resource ignores status, /status ignores everything else. */
  statusSubresource: boolean;
  /** Built-in kinds accept strategic merge patch (kubectl sends it for them); custom kinds answer 415. */
  strategicMerge: boolean;
  /** Names must be DNS-1123 labels (Namespaces) rather than subdomains. */
  nameIsLabel?: boolean;
  /** Kind-specific normalisation before validation (e.g. Secret stringData → data). */
  normalize?: (obj: Record<string, any>) => void;
}

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The key under which the store keeps this kind's objects. */
export function storeKey(t: ResourceType): string {
  return `${t.group || 'core'}/${t.plural}`;
}

export const VERBS_ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
