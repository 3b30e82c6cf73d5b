// Lookups by a field inside the stored JSON (admission checks such as "the other attachments of this node"), and
// the expression indexes that make them cheap. The SQL expression is built here only, so the migration's index and
// the query's WHERE are the same text — which both databases need to use the index.
import { sql, type RawBuilder } from 'kysely';
import type { KObject } from '../object.js';

/** Fields with an index (migration 0003): [resource, path]. Lookups on other paths work too, by a scan. */
export const INDEXED_FIELDS: readonly (readonly string[])[] = [
  ['spec', 'node'], // NetworkAttachments of a node (attach, release)
  ['spec', 'switch'], // Ports of a switch (one Port per switch interface)
];

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The expression text for a path; the path is checked, then spliced into the SQL as a literal. */
export function fieldExpressionText(dialect: 'sqlite' | 'postgres', path: readonly string[]): string {
  if (!path.length || !path.every((p) => FIELD_NAME.test(p)))
    throw new Error(`invalid field path ${JSON.stringify(path)}`);
  return dialect === 'sqlite'
    ? `json_extract(object, '$.${path.join('.')}')`
    : `((object)::json #>> '{${path.join(',')}}'::text[])`;
}

export function fieldExpression(dialect: 'sqlite' | 'postgres', path: readonly string[]): RawBuilder<string> {
  return sql<string>`${sql.raw(fieldExpressionText(dialect, path))}`;
}

export function fieldIndexName(path: readonly string[]): string {
  return `hil_objects_${path.join('_').toLowerCase()}`;
}

/**
 * Values held in an array field, which no expression index can cover (a Node's `spec.nics[].port`): the store keeps
 * them in `hil_refs` (migration 0004), one row per value, written with the object. `ListOptions.refersTo` finds the
 * objects holding a value through that table, so "which node is cabled to this port" is a lookup, not a scan.
 */
export const REFERENCE_FIELDS: Readonly<Record<string, Readonly<Record<string, (o: KObject) => string[]>>>> = {
  'hil.io/nodes': {
    'spec.nics.port': (o) => {
      const nics = (o as { spec?: { nics?: unknown } }).spec?.nics;
      if (!Array.isArray(nics)) return [];
      const ports = nics.map((n) => (n as { port?: unknown } | null)?.port).filter((p) => typeof p === 'string');
      return [...new Set(ports)];
    },
  },
};

/** The (field, value) rows of hil_refs for an object, none for a kind without reference fields. */
export function referencesOf(resource: string, o: KObject): { field: string; value: string }[] {
  const fields = REFERENCE_FIELDS[resource];
  if (!fields) return [];
  return Object.entries(fields).flatMap(([field, values]) => values(o).map((value) => ({ field, value })));
}
