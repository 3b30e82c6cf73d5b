// `kubectl get` asks for a meta.k8s.io/v1 Table; its columns are the kind's printer columns (the CRD's
// additionalPrinterColumns), computed here the way the real server's table convertor does.
import { humanAge } from '../api/meta/age.js';
import { evalJsonPath } from './jsonpath.js';
import type { KObject } from './object.js';
import type { PrinterColumn, ResourceType } from './registry.js';

/** The client asked for a meta.k8s.io Table (kubectl get does, with JSON as its fallback). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

function cell(col: PrinterColumn, obj: KObject, now: number): unknown {
  let values: unknown[];
  try {
    values = evalJsonPath(obj, col.jsonPath);
  } catch {
    return '<invalid>';
  }
  if (col.format === 'count') {
    const v = values[0];
    return v && typeof v === 'object' ? Object.keys(v).length : 0;
  }
  if (values.length === 0) return null;
  if (col.type === 'date') {
    const t = Date.parse(String(values[0]));
    return Number.isNaN(t) ? '<invalid>' : humanAge(now - t);
  }
  const shown = values.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v));
  if (col.type === 'integer' || col.type === 'number' || col.type === 'boolean')
    return shown.length === 1 ? shown[0] : shown.join(',');
  return shown.join(',');
}

export function columnDefinitions(t: ResourceType) {
  return [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...t.printerColumns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format === 'count' ? '' : (c.format ?? ''),
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
}

export function tableRow(t: ResourceType, obj: KObject, includeObject: string | undefined, now = Date.now()) {
  const object =
    includeObject === 'None'
      ? undefined
      : includeObject === 'Object'
        ? obj
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  return {
    cells: [obj.metadata.name, ...t.printerColumns.map((c) => cell(c, obj, now))],
    ...(object ? { object } : {}),
  };
}

export function toTable(
  t: ResourceType,
  items: KObject[],
  listMeta: Record<string, unknown>,
  includeObject: string | undefined,
  withHeaders = true,
) {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withHeaders ? columnDefinitions(t) : [],
    rows: items.map((o) => tableRow(t, o, includeObject, now)),
  };
}
