// Output: tables aligned like kubectl's (columns from the server's printer columns, three spaces between
// columns, NAME first, `kind.group/name` when several kinds are shown), and -o yaml|json|name|jsonpath|
// custom-columns. Objects are printed without metadata.managedFields unless asked, as kubectl does.
import yaml from 'js-yaml';
import { objectRef, type ResourceInfo } from './discovery.js';
import { CliError } from './errors.js';
import { executeTemplate, findAll, formatValue, JsonPathError, parsePath } from '../api/meta/jsonpath.js';

export type OutputKind = 'table' | 'wide' | 'yaml' | 'json' | 'name' | 'jsonpath' | 'custom-columns';

export interface OutputFormat {
  kind: OutputKind;
  /** The template of jsonpath / custom-columns. */
  template?: string;
}

export function parseOutput(o: string | undefined): OutputFormat {
  if (!o) return { kind: 'table' };
  const eq = o.indexOf('=');
  const head = eq < 0 ? o : o.slice(0, eq);
  const arg = eq < 0 ? undefined : o.slice(eq + 1);
  switch (head) {
    case 'wide':
    case 'yaml':
    case 'json':
    case 'name':
      if (arg !== undefined) break;
      return { kind: head };
    case 'jsonpath':
    case 'custom-columns':
      if (!arg)
        throw new CliError(
          `-o ${head} needs a template, e.g. -o ${head === 'jsonpath' ? "jsonpath='{.spec.project}'" : 'custom-columns=NAME:.metadata.name,PROJECT:.spec.project'}`,
        );
      try {
        if (head === 'jsonpath') executeTemplate(arg, {});
        else parseCustomColumns(arg);
      } catch (err) {
        if (err instanceof JsonPathError) throw new CliError(`bad ${head} template: ${err.message}`);
        throw err;
      }
      return { kind: head, template: arg };
  }
  throw new CliError(
    `unknown output format "${o}": use one of wide, yaml, json, name, jsonpath=TEMPLATE, custom-columns=SPEC`,
  );
}

/** A copy without the fields nobody wants to read (managedFields), unless asked for. */
export function forDisplay<T extends Record<string, any>>(obj: T, showManagedFields = false): T {
  if (showManagedFields || !obj?.metadata?.managedFields) return obj;
  const { managedFields: _, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

export function toYaml(v: unknown): string {
  return yaml.dump(v, { sortKeys: true, lineWidth: -1, noRefs: true, noArrayIndent: true });
}

export function toJson(v: unknown): string {
  return `${JSON.stringify(v, null, 4)}\n`;
}

/** One object, or a `v1 List` of several, as kubectl prints `-o yaml|json`. */
export function asListOrObject(objs: Record<string, any>[], single: boolean): unknown {
  if (single && objs.length === 1) return objs[0];
  return { apiVersion: 'v1', kind: 'List', items: objs, metadata: { resourceVersion: '' } };
}

// ---- tables ------------------------------------------------------------------------------------------------

export interface ServerTable {
  columnDefinitions: { name: string; type: string; format?: string; priority?: number }[];
  rows: {
    cells: unknown[];
    object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };
  }[];
}

export interface TableOptions {
  wide?: boolean;
  noHeaders?: boolean;
  /** Prefix names with `kind.group/` (several kinds in one output). */
  withKind?: boolean;
  /** Add a NAMESPACE column first (-A on a namespaced kind). */
  withNamespace?: boolean;
  showLabels?: boolean;
  /** Watch output: an EVENT column first. */
  eventColumn?: boolean;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.split(/[\r\n\f]/)[0];
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function labelText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** The header and the rows of a server Table as text cells (the header is omitted with noHeaders). */
export function tableRows(
  r: ResourceInfo,
  table: ServerTable,
  opts: TableOptions,
  events?: string[],
): { header: string[]; rows: string[][] } {
  const cols = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const nameIndex = Math.max(
    0,
    table.columnDefinitions.findIndex((c) => c.format === 'name' || c.name.toLowerCase() === 'name'),
  );
  const header: string[] = [];
  if (opts.eventColumn) header.push('EVENT');
  if (opts.withNamespace) header.push('NAMESPACE');
  for (const { c } of cols) header.push(c.name.toUpperCase());
  if (opts.showLabels) header.push('LABELS');
  const rows = table.rows.map((row, k) => {
    const out: string[] = [];
    if (opts.eventColumn) out.push(events?.[k] ?? '');
    if (opts.withNamespace) out.push(row.object?.metadata?.namespace ?? '');
    for (const { i } of cols) {
      const text = cellText(row.cells[i]);
      out.push(i === nameIndex && opts.withKind ? objectRef(r, text) : text);
    }
    if (opts.showLabels) out.push(labelText(row.object?.metadata?.labels));
    return out;
  });
  return { header, rows };
}

/**
 * Aligns columns like kubectl's tabwriter: each column as wide as its widest cell, three spaces between columns,
 * nothing after the last. `widths` carries widths between calls (watch output keeps its columns aligned).
 */
export class ColumnWriter {
  widths: number[] = [];

  format(lines: string[][]): string {
    for (const l of lines) l.forEach((cell, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, cell.length)));
    return lines
      .map((l) => l.map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(this.widths[i] + 3))).join(''))
      .map((s) => `${s.trimEnd()}\n`)
      .join('');
  }
}

// ---- custom columns ------------------------------------------------------------------------------------------

export function parseCustomColumns(spec: string): { header: string; path: string }[] {
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i <= 0) throw new JsonPathError(`custom column "${part}" must be HEADER:PATH`);
    const header = part.slice(0, i);
    let path = part.slice(i + 1).trim();
    if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1);
    parsePath(path);
    return { header, path };
  });
}

export function formatCustomColumns(spec: string, objs: unknown[], noHeaders = false): string {
  const cols = parseCustomColumns(spec);
  const lines: string[][] = [];
  if (!noHeaders) lines.push(cols.map((c) => c.header));
  for (const o of objs) {
    lines.push(
      cols.map((c) => {
        const found = findAll(c.path, o);
        return found.length ? found.map(formatValue).join(',') : '<none>';
      }),
    );
  }
  return new ColumnWriter().format(lines);
}

/** Prints objects in a non-table format (yaml, json, name, jsonpath, custom-columns). */
export function formatObjects(
  format: OutputFormat,
  objs: { resource: ResourceInfo; object: Record<string, any> }[],
  opts: { single: boolean; showManagedFields?: boolean; noHeaders?: boolean },
): string {
  const shown = objs.map((o) => forDisplay(o.object, opts.showManagedFields));
  switch (format.kind) {
    case 'yaml':
      return toYaml(asListOrObject(shown, opts.single));
    case 'json':
      return toJson(asListOrObject(shown, opts.single));
    case 'name':
      return objs.map((o) => `${objectRef(o.resource, o.object.metadata.name)}\n`).join('');
    case 'jsonpath':
      // As kubectl: exactly what the template says, no newline added.
      return executeTemplate(format.template!, asListOrObject(shown, opts.single));
    case 'custom-columns':
      return formatCustomColumns(format.template!, shown, opts.noHeaders);
    default:
      throw new Error(`formatObjects: ${format.kind} is a table format`);
  }
}
