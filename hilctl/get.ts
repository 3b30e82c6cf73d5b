// `hilctl get`: tables from the server's printer columns (the server builds a meta.k8s.io Table, we align it),
// or objects as yaml/json/name/jsonpath/custom-columns; -l/--field-selector, -A, --all (every hil kind),
// and -w, which prints a row for every change until interrupted.
import type { WatchEvent } from './client.js';
import { collectionPath, objectPath, objectRef, type ResourceInfo } from './discovery.js';
import { parseDuration } from './duration.js';
import { CliError, formatError, StatusError } from './errors.js';
import {
  ColumnWriter,
  formatObjects,
  forDisplay,
  parseOutput,
  tableRows,
  toJson,
  toYaml,
  type OutputFormat,
  type ServerTable,
} from './printers.js';
import type { Session } from './session.js';
import { parseTypeArgs, targetsFromFiles, type TargetGroup } from './targets.js';
import { watchLoop } from './watch.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

export interface GetOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  watch?: boolean;
  watchOnly?: boolean;
  outputWatchEvents?: boolean;
  all?: boolean;
  allNamespaces?: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  showManagedFields?: boolean;
  ignoreNotFound?: boolean;
  filename?: string[];
  recursive?: boolean;
  raw?: string;
}

interface Fetched {
  resource: ResourceInfo;
  table?: ServerTable;
  objects: Record<string, any>[];
  resourceVersion?: string;
}

function namespaceOf(s: Session, r: ResourceInfo, o: GetOptions): string | undefined {
  if (!r.namespaced) return undefined;
  return o.allNamespaces ? undefined : s.namespace;
}

export async function runGet(s: Session, args: string[], o: GetOptions): Promise<number> {
  if (o.raw) {
    const r = await s.client.request('GET', o.raw);
    s.write(typeof r.body === 'string' ? r.body : `${JSON.stringify(r.body)}\n`);
    return 0;
  }
  const format = parseOutput(o.output);
  const d = await s.discovery();
  let groups: TargetGroup[];
  if (o.filename?.length) groups = await targetsFromFiles(s, o.filename, !!o.recursive);
  else if (o.all) {
    if (args.length) throw new CliError('--all lists every HIL kind; give either --all or resource types, not both');
    groups = d.category('hil').map((r) => ({ resource: r, names: [] }));
  } else groups = parseTypeArgs(d, args);
  if (!groups.length) {
    throw new CliError(
      'You must specify the type of resource to get (e.g. "hilctl get hn", "hilctl get --all").\n  hint: "hilctl api-resources" lists the types',
    );
  }
  if (o.watch || o.watchOnly) {
    if (groups.length !== 1) throw new CliError('watch needs exactly one resource type');
    return watchGet(s, groups[0], format, o);
  }

  const withKind = groups.length > 1;
  let failed = false;
  const fetched: Fetched[] = [];
  const wantTable = format.kind === 'table' || format.kind === 'wide';
  for (const g of groups) {
    const r = g.resource;
    const f: Fetched = { resource: r, objects: [] };
    if (g.names.length) {
      for (let i = 0; i < g.names.length; i++) {
        const name = g.names[i];
        const ns = g.namespaces?.[i] ?? namespaceOf(s, r, o) ?? (r.namespaced ? s.namespace : undefined);
        try {
          if (wantTable) {
            const t: ServerTable = await s.client.get(objectPath(r, name, ns), undefined, TABLE_ACCEPT);
            if (!f.table) f.table = t;
            else f.table.rows.push(...t.rows);
          } else f.objects.push(await s.client.get(objectPath(r, name, ns)));
        } catch (err) {
          if (err instanceof StatusError && err.httpStatus === 404 && o.ignoreNotFound) continue;
          if (err instanceof StatusError && err.httpStatus === 404) {
            s.err(formatError(err));
            failed = true;
            continue;
          }
          throw err;
        }
      }
    } else {
      const query = { labelSelector: o.selector, fieldSelector: o.fieldSelector };
      const path = collectionPath(r, namespaceOf(s, r, o));
      if (wantTable) f.table = await s.client.get(path, { ...query, includeObject: 'Metadata' }, TABLE_ACCEPT);
      else {
        const list = await s.client.get(path, query);
        f.objects = (list?.items ?? []).map((item: any) => ({ apiVersion: apiVersion(r), kind: r.kind, ...item }));
      }
    }
    fetched.push(f);
  }

  if (wantTable) {
    const parts: string[] = [];
    for (const f of fetched) {
      if (!f.table || !f.table.rows.length) continue;
      const { header, rows } = tableRows(f.resource, f.table, {
        wide: format.kind === 'wide',
        withKind,
        withNamespace: !!o.allNamespaces && f.resource.namespaced,
        showLabels: o.showLabels,
      });
      parts.push(new ColumnWriter().format(o.noHeaders ? rows : [header, ...rows]));
    }
    if (parts.length) s.write(parts.join('\n'));
    else if (!failed && !groups.some((g) => g.names.length)) s.err(noResources(s, groups, o));
  } else {
    const all = fetched.flatMap((f) => f.objects.map((object) => ({ resource: f.resource, object })));
    const single = groups.length === 1 && groups[0].names.length === 1;
    if (all.length || format.kind === 'yaml' || format.kind === 'json') {
      s.write(formatObjects(format, all, { single, showManagedFields: o.showManagedFields, noHeaders: o.noHeaders }));
    }
    if (
      !all.length &&
      !failed &&
      !groups.some((g) => g.names.length) &&
      format.kind !== 'yaml' &&
      format.kind !== 'json'
    ) {
      s.err(noResources(s, groups, o));
    }
  }
  return failed ? 1 : 0;
}

function apiVersion(r: ResourceInfo): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function noResources(s: Session, groups: TargetGroup[], o: GetOptions): string {
  const namespaced = groups.some((g) => g.resource.namespaced);
  return namespaced && !o.allNamespaces ? `No resources found in ${s.namespace} namespace.` : 'No resources found';
}

/** get -w: the current state (unless --watch-only), then one row or object per change. */
async function watchGet(s: Session, g: TargetGroup, format: OutputFormat, o: GetOptions): Promise<number> {
  const r = g.resource;
  const ns = g.namespaces?.[0] ?? namespaceOf(s, r, o);
  if (g.names.length > 1) throw new CliError('watch takes at most one name');
  const fieldSelector =
    [o.fieldSelector, g.names[0] ? `metadata.name=${g.names[0]}` : undefined].filter(Boolean).join(',') || undefined;
  const query = { labelSelector: o.selector, fieldSelector };
  const path = collectionPath(r, ns);
  const table = format.kind === 'table' || format.kind === 'wide';
  const writer = new ColumnWriter();
  if (o.outputWatchEvents) writer.widths[0] = 'MODIFIED'.length;
  let columns: ServerTable['columnDefinitions'] | undefined;
  let headerPrinted = !!o.noHeaders;
  const tableOpts = {
    wide: format.kind === 'wide',
    withNamespace: !!o.allNamespaces && r.namespaced,
    showLabels: o.showLabels,
    eventColumn: o.outputWatchEvents,
  };
  let printedObjects = 0;

  const printTable = (t: ServerTable, events: string[]) => {
    if (!columns && t.columnDefinitions?.length) columns = t.columnDefinitions;
    if (!columns || !t.rows.length) return;
    const { header, rows } = tableRows(r, { columnDefinitions: columns, rows: t.rows }, tableOpts, events);
    const lines = headerPrinted ? rows : [header, ...rows];
    headerPrinted = true;
    s.write(writer.format(lines));
  };
  const printObject = (obj: any, event: string) => {
    const shown = forDisplay(obj, o.showManagedFields);
    if (format.kind === 'yaml')
      s.write(
        `${printedObjects++ ? '---\n' : ''}${toYaml(o.outputWatchEvents ? { type: event, object: shown } : shown)}`,
      );
    else if (format.kind === 'json') s.write(toJson(o.outputWatchEvents ? { type: event, object: shown } : shown));
    else if (format.kind === 'name')
      s.write(`${o.outputWatchEvents ? `${event} ` : ''}${objectRef(r, obj.metadata.name)}\n`);
    else
      s.write(formatObjects(format, [{ resource: r, object: obj }], { single: true, noHeaders: printedObjects++ > 0 }));
  };

  const list = async (print: boolean): Promise<string> => {
    if (table) {
      const t: ServerTable & { metadata?: { resourceVersion?: string } } = await s.client.get(
        path,
        { ...query, includeObject: 'Metadata' },
        TABLE_ACCEPT,
      );
      if (t.columnDefinitions?.length) columns = t.columnDefinitions;
      if (print)
        printTable(
          t,
          t.rows.map(() => 'ADDED'),
        );
      return t.metadata?.resourceVersion ?? '0';
    }
    const l = await s.client.get(path, query);
    if (print)
      for (const item of l.items ?? []) printObject({ apiVersion: apiVersion(r), kind: r.kind, ...item }, 'ADDED');
    return l.metadata?.resourceVersion ?? '0';
  };

  const rv = await list(!o.watchOnly);
  let deadline: number | undefined;
  if (s.opts.requestTimeout && s.opts.requestTimeout !== '0')
    deadline = Date.now() + parseDuration(s.opts.requestTimeout, '--request-timeout');
  await watchLoop(s.client, {
    path,
    query,
    resourceVersion: rv,
    accept: table ? TABLE_ACCEPT : undefined,
    deadline,
    relist: () => list(true),
    onEvent: (ev: WatchEvent) => {
      if (table)
        printTable(
          ev.object as ServerTable,
          (ev.object?.rows ?? []).map(() => ev.type),
        );
      else printObject(ev.object, ev.type);
    },
  });
  return 0;
}
