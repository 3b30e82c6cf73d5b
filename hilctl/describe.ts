// `hilctl describe KIND NAME`: what a person needs to see about one object — its spec and observed status,
// conditions as a table, the objects it is wired to (a Node's NICs, ports and attachments; a Network's VLAN and
// attached NICs; a Switch's ports and sync state; a Project's nodes, networks and headnodes), and the recent
// Events about it. Any kind works (generic rendering); HIL kinds get their extra sections.
import { collectionPath, objectPath, type Discovery, type ResourceInfo } from './discovery.js';
import { ageOf } from './duration.js';
import { CliError, formatError, StatusError } from './errors.js';
import { ColumnWriter } from './printers.js';
import type { Session } from './session.js';
import { namespaceFor, parseTypeArgs } from './targets.js';

type Line = { indent: number; key?: string; value?: string; text?: string };

/** Lines of `Key:  value` where values line up within each block of one indentation, as kubectl's describe. */
export class DescribeWriter {
  private lines: Line[] = [];

  kv(indent: number, key: string, value?: string | number | boolean): void {
    if (value !== undefined && typeof value === 'string' && value.includes('\n')) {
      this.lines.push({ indent, key, value: '' });
      for (const l of value.split('\n')) this.lines.push({ indent: indent + 1, text: l });
      return;
    }
    this.lines.push({ indent, key, value: value === undefined ? undefined : String(value) });
  }

  text(indent: number, text: string): void {
    for (const l of text.replace(/\n$/, '').split('\n')) this.lines.push({ indent, text: l });
  }

  table(indent: number, header: string[], rows: string[][], empty = '<none>'): void {
    if (!rows.length) {
      this.text(indent, empty);
      return;
    }
    this.text(indent, new ColumnWriter().format([header, ...rows]));
  }

  render(): string {
    const out: string[] = [];
    let i = 0;
    while (i < this.lines.length) {
      const l = this.lines[i];
      if (l.key === undefined) {
        out.push(`${'  '.repeat(l.indent)}${l.text ?? ''}`.trimEnd());
        i++;
        continue;
      }
      // A block: consecutive key lines of the same indentation.
      let j = i;
      let width = 0;
      while (j < this.lines.length && this.lines[j].key !== undefined && this.lines[j].indent === l.indent) {
        if (this.lines[j].value !== undefined) width = Math.max(width, this.lines[j].key!.length + 1);
        j++;
      }
      for (let k = i; k < j; k++) {
        const m = this.lines[k];
        const key = `${m.key}:`;
        out.push(
          `${'  '.repeat(m.indent)}${m.value === undefined || m.value === '' ? key : `${key.padEnd(width + 2)}${m.value}`}`.trimEnd(),
        );
      }
      i = j;
    }
    return `${out.join('\n')}\n`;
  }
}

/** `bootDevice` → `Boot Device`, as kubectl's generic describer titles fields. */
export function title(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  if (typeof v === 'string') return v === '' ? '""' : v;
  return String(v);
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** Renders any value under a key, recursively; lists of flat objects become small tables. */
export function renderValue(w: DescribeWriter, indent: number, key: string, v: unknown): void {
  if (isScalar(v)) {
    w.kv(indent, title(key), scalar(v));
    return;
  }
  if (Array.isArray(v)) {
    if (!v.length) {
      w.kv(indent, title(key), '<none>');
      return;
    }
    if (v.every(isScalar)) {
      w.kv(indent, title(key), v.map(scalar).join(', '));
      return;
    }
    if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every(isScalar))) {
      const cols: string[] = [];
      for (const x of v) for (const k of Object.keys(x)) if (!cols.includes(k)) cols.push(k);
      w.kv(indent, title(key));
      w.table(
        indent + 1,
        cols.map((c) => title(c).toUpperCase()),
        v.map((x: any) => cols.map((c) => (x[c] === undefined ? '' : scalar(x[c])))),
      );
      return;
    }
    w.kv(indent, title(key));
    v.forEach((x, i) => renderValue(w, indent + 1, `[${i}]`, x));
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) {
    w.kv(indent, title(key), '<none>');
    return;
  }
  w.kv(indent, title(key));
  for (const [k, x] of entries.sort(([a], [b]) => a.localeCompare(b))) renderValue(w, indent + 1, k, x);
}

function mapLines(w: DescribeWriter, key: string, m: Record<string, string> | undefined): void {
  const entries = Object.entries(m ?? {});
  if (!entries.length) {
    w.kv(0, key, '<none>');
    return;
  }
  entries.forEach(([k, v], i) => {
    if (i === 0) w.kv(0, key, `${k}=${v}`);
    else w.text(0, `${' '.repeat(key.length + 3)}${k}=${v}`);
  });
}

function whenText(ts: string | undefined): string {
  return ts ? `${ts} (${ageOf(ts)} ago)` : '<unknown>';
}

function conditionRows(obj: any): string[][] {
  return ((obj.status?.conditions ?? []) as any[]).map((c) => [
    String(c.type ?? ''),
    String(c.status ?? ''),
    String(c.reason ?? ''),
    c.lastTransitionTime ? ageOf(c.lastTransitionTime) : '',
    String(c.message ?? '').split('\n')[0],
  ]);
}

/** Lists related objects; a refusal (403) or missing kind shows as unavailable rather than failing describe. */
async function listOf(s: Session, d: Discovery, kind: string, query: Record<string, string>): Promise<any[] | string> {
  const r = d.resources.find((x) => x.group === 'hil.io' && x.kind === kind);
  if (!r) return `<unavailable: the server has no ${kind}>`;
  try {
    const l = await s.client.get(collectionPath(r), query);
    return l?.items ?? [];
  } catch (err) {
    if (err instanceof StatusError) return `<unavailable: ${err.reason}>`;
    throw err;
  }
}

/** The object, undefined when it does not exist, or 'hidden' when the caller may not read it (403). */
async function getOf(s: Session, d: Discovery, kind: string, name: string): Promise<any> {
  const r = d.resources.find((x) => x.group === 'hil.io' && x.kind === kind);
  if (!r) return undefined;
  try {
    return await s.client.getIfExists(objectPath(r, name));
  } catch (err) {
    if (err instanceof StatusError) return err.httpStatus === 403 ? 'hidden' : undefined;
    throw err;
  }
}

const dash = (v: unknown) => (v === undefined || v === null || v === '' ? '-' : String(v));
const condStatus = (o: any, type: string) =>
  ((o?.status?.conditions ?? []) as any[]).find((c) => c.type === type)?.status ?? '-';

async function nodeSections(s: Session, d: Discovery, w: DescribeWriter, obj: any): Promise<void> {
  const nics: any[] = obj.spec?.nics ?? [];
  const observed: any[] = obj.status?.nics ?? [];
  const rows: string[][] = [];
  for (const nic of nics) {
    const found = nic.port ? await getOf(s, d, 'Port', nic.port) : undefined;
    const port = found === 'hidden' ? undefined : found;
    const st = observed.find((x) => x.name === nic.name);
    const nets = ((st?.networks ?? []) as any[])
      .map((n) => `${n.network} (${n.channel}${n.vlan ? `, VLAN ${n.vlan}` : ''})`)
      .join(', ');
    rows.push([
      nic.name,
      dash(nic.macAddress),
      nic.port ? (port || found === 'hidden' ? nic.port : `${nic.port} (missing)`) : '<not cabled>',
      dash(port?.spec?.switch),
      dash(port?.spec?.interface),
      st?.inSync === undefined ? '-' : st.inSync ? 'yes' : 'no',
      nets || '-',
    ]);
  }
  w.kv(0, 'NICs');
  w.table(1, ['NAME', 'MAC', 'PORT', 'SWITCH', 'INTERFACE', 'IN SYNC', 'NETWORKS'], rows);
  const atts = await listOf(s, d, 'NetworkAttachment', { fieldSelector: `spec.node=${obj.metadata.name}` });
  w.kv(0, 'Attachments');
  if (typeof atts === 'string') w.text(1, atts);
  else {
    w.table(
      1,
      ['NAME', 'NIC', 'NETWORK', 'CHANNEL', 'PHASE', 'VLAN', 'READY'],
      atts.map((a) => [
        a.metadata.name,
        dash(a.spec?.nic),
        dash(a.spec?.network),
        dash(a.spec?.channel),
        dash(a.status?.phase),
        dash(a.status?.vlan),
        condStatus(a, 'Ready'),
      ]),
    );
  }
}

async function networkSections(s: Session, d: Discovery, w: DescribeWriter, obj: any): Promise<void> {
  const vlan = obj.status?.vlan;
  const how = obj.spec?.vlan !== undefined ? 'explicit' : 'allocated';
  w.kv(
    0,
    'VLAN',
    vlan
      ? `${vlan} (${how})`
      : obj.spec?.vlan
        ? `${obj.spec.vlan} (explicit, not confirmed yet)`
        : '<not allocated yet>',
  );
  const atts = await listOf(s, d, 'NetworkAttachment', { fieldSelector: `spec.network=${obj.metadata.name}` });
  w.kv(0, 'Attached NICs');
  if (typeof atts === 'string') w.text(1, atts);
  else {
    w.table(
      1,
      ['NODE', 'NIC', 'CHANNEL', 'PHASE', 'SWITCH', 'PORT', 'ATTACHMENT'],
      atts.map((a) => [
        dash(a.spec?.node),
        dash(a.spec?.nic),
        dash(a.spec?.channel),
        dash(a.status?.phase),
        dash(a.status?.switch),
        dash(a.status?.port),
        a.metadata.name,
      ]),
    );
  }
  const hns = await listOf(s, d, 'Headnode', {});
  if (typeof hns !== 'string') {
    const rows = hns.flatMap((h) =>
      ((h.spec?.hnics ?? []) as any[])
        .filter((x) => x.network === obj.metadata.name)
        .map((x) => [h.metadata.name, x.name, dash(h.status?.state)]),
    );
    if (rows.length) {
      w.kv(0, 'Headnodes');
      w.table(1, ['HEADNODE', 'HNIC', 'STATE'], rows);
    }
  }
}

async function cablingOf(s: Session, d: Discovery): Promise<Map<string, string>> {
  const nodes = await listOf(s, d, 'Node', {});
  const byPort = new Map<string, string>();
  if (typeof nodes !== 'string')
    for (const n of nodes)
      for (const nic of n.spec?.nics ?? []) if (nic.port) byPort.set(nic.port, `${n.metadata.name}/${nic.name}`);
  return byPort;
}

async function switchSections(s: Session, d: Discovery, w: DescribeWriter, obj: any): Promise<void> {
  const st = obj.status ?? {};
  w.kv(0, 'Sync');
  w.kv(
    1,
    'Paused',
    obj.metadata.annotations?.['hil.io/paused'] === 'true'
      ? 'yes (annotation hil.io/paused: no writes to the switch)'
      : 'no',
  );
  w.kv(1, 'Ready', condStatus(obj, 'Ready'));
  w.kv(1, 'Reachable', condStatus(obj, 'Reachable'));
  w.kv(
    1,
    'Last Sync',
    st.lastSyncTime
      ? `${whenText(st.lastSyncTime)}${st.lastSyncDuration !== undefined ? `, took ${st.lastSyncDuration} ms` : ''}`
      : '<never>',
  );
  w.kv(1, 'Failed Attempts', st.failedSyncAttempts ?? 0);
  if (st.nextSyncTime) w.kv(1, 'Next Sync', st.nextSyncTime);
  // The SSH host key trusted since the first login (docs/drivers.md, SSH host keys).
  if (st.sshHostKeyFingerprint) w.kv(1, 'SSH Host Key', st.sshHostKeyFingerprint);
  const ports = await listOf(s, d, 'Port', { fieldSelector: `spec.switch=${obj.metadata.name}` });
  w.kv(0, 'Ports');
  if (typeof ports === 'string') w.text(1, ports);
  else {
    const cabled = await cablingOf(s, d);
    w.table(
      1,
      ['NAME', 'INTERFACE', 'NIC', 'NATIVE', 'TAGGED', 'IN SYNC'],
      ports.map((p) => [
        p.metadata.name,
        dash(p.spec?.interface),
        cabled.get(p.metadata.name) ?? '-',
        dash(p.status?.nativeVlan),
        ((p.status?.taggedVlans ?? []) as number[]).join(',') || '-',
        condStatus(p, 'InSync'),
      ]),
    );
  }
}

async function portSections(s: Session, d: Discovery, w: DescribeWriter, obj: any): Promise<void> {
  const cabled = await cablingOf(s, d);
  w.kv(0, 'Cabled To', cabled.get(obj.metadata.name) ?? '<no NIC>');
}

async function projectSections(s: Session, d: Discovery, w: DescribeWriter, obj: any): Promise<void> {
  const name = obj.metadata.name;
  const names = (x: any[] | string) =>
    typeof x === 'string' ? x : x.map((i) => i.metadata.name).join(', ') || '<none>';
  w.kv(0, 'Nodes', names(await listOf(s, d, 'Node', { fieldSelector: `spec.project=${name}` })));
  w.kv(0, 'Networks', names(await listOf(s, d, 'Network', { fieldSelector: `spec.owner=${name}` })));
  w.kv(0, 'Headnodes', names(await listOf(s, d, 'Headnode', { fieldSelector: `spec.project=${name}` })));
}

/** Fields shown in their own sections rather than in the generic Spec/Status rendering. */
const OWN_SECTIONS: Record<string, { spec: string[]; status: string[] }> = {
  Node: { spec: ['nics'], status: ['nics'] },
};

async function eventsSection(s: Session, d: Discovery, w: DescribeWriter, obj: any, r: ResourceInfo): Promise<void> {
  const ev = d.resources.find((x) => x.group === '' && x.name === 'events');
  w.kv(0, 'Events');
  if (!ev) {
    w.text(1, '<none>');
    return;
  }
  const sel = [`involvedObject.name=${obj.metadata.name}`, `involvedObject.kind=${r.kind}`];
  if (obj.metadata.uid) sel.push(`involvedObject.uid=${obj.metadata.uid}`);
  let items: any[];
  try {
    items = (await s.client.get(collectionPath(ev), { fieldSelector: sel.join(',') }))?.items ?? [];
  } catch (err) {
    if (err instanceof StatusError) {
      w.text(1, `<unavailable: ${err.reason}>`);
      return;
    }
    throw err;
  }
  const when = (e: any) =>
    e.lastTimestamp ?? e.eventTime ?? e.series?.lastObservedTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  items.sort((a, b) => String(when(a)).localeCompare(String(when(b))));
  w.table(
    1,
    ['TYPE', 'REASON', 'AGE', 'FROM', 'MESSAGE'],
    items.map((e) => {
      const count = e.count ?? e.series?.count;
      const age = ageOf(when(e));
      const first = e.firstTimestamp ?? e.eventTime;
      return [
        String(e.type ?? ''),
        String(e.reason ?? ''),
        count > 1 && first ? `${age} (x${count} over ${ageOf(first)})` : age,
        String(e.source?.component ?? e.reportingComponent ?? ''),
        String(e.message ?? '').split('\n')[0],
      ];
    }),
  );
}

export async function describeObject(s: Session, d: Discovery, r: ResourceInfo, obj: any): Promise<string> {
  const w = new DescribeWriter();
  const m = obj.metadata ?? {};
  w.kv(0, 'Name', m.name);
  if (r.namespaced) w.kv(0, 'Namespace', m.namespace);
  mapLines(w, 'Labels', m.labels);
  mapLines(
    w,
    'Annotations',
    Object.fromEntries(
      Object.entries((m.annotations ?? {}) as Record<string, string>).filter(
        ([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration',
      ),
    ),
  );
  w.kv(0, 'API Version', obj.apiVersion ?? (r.group ? `${r.group}/${r.version}` : r.version));
  w.kv(0, 'Kind', obj.kind ?? r.kind);
  w.kv(0, 'Created', whenText(m.creationTimestamp));
  if (m.generation !== undefined) {
    const og = obj.status?.observedGeneration;
    w.kv(
      0,
      'Generation',
      og === undefined
        ? `${m.generation}`
        : `${m.generation} (status describes generation ${og}${og < m.generation ? ': not caught up yet' : ''})`,
    );
  }
  if (m.finalizers?.length) w.kv(0, 'Finalizers', m.finalizers.join(', '));
  if (m.deletionTimestamp)
    w.kv(
      0,
      'Deleting',
      `since ${whenText(m.deletionTimestamp)}; waiting for finalizers ${(m.finalizers ?? []).join(', ') || '<none>'}`,
    );

  const own = OWN_SECTIONS[r.kind] && r.group === 'hil.io' ? OWN_SECTIONS[r.kind] : { spec: [], status: [] };
  if (r.kind === 'Secret' && r.group === '') {
    w.kv(0, 'Type', obj.type ?? 'Opaque');
    w.kv(0, 'Data');
    const data = Object.entries((obj.data ?? {}) as Record<string, string>);
    if (!data.length) w.text(1, '<none>');
    for (const [k, v] of data) w.kv(1, k, `${Buffer.from(v, 'base64').length} bytes`);
  } else {
    const rest = Object.fromEntries(
      Object.entries(obj).filter(([k]) => !['apiVersion', 'kind', 'metadata', 'status', 'spec'].includes(k)),
    );
    for (const [k, v] of Object.entries(rest)) renderValue(w, 0, k, v);
    if (obj.spec !== undefined) {
      renderValue(
        w,
        0,
        'spec',
        Object.fromEntries(Object.entries(obj.spec ?? {}).filter(([k]) => !own.spec.includes(k))),
      );
    }
    if (obj.status !== undefined || r.group === 'hil.io') {
      const st = Object.fromEntries(
        Object.entries(obj.status ?? {}).filter(([k]) => k !== 'conditions' && !own.status.includes(k)),
      );
      if (Object.keys(st).length) renderValue(w, 0, 'status', st);
      else w.kv(0, 'Status', '<none> (nothing observed yet)');
    }
  }
  if (r.group === 'hil.io' || obj.status?.conditions) {
    w.kv(0, 'Conditions');
    w.table(1, ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], conditionRows(obj));
  }
  if (r.group === 'hil.io') {
    if (r.kind === 'Node') await nodeSections(s, d, w, obj);
    else if (r.kind === 'Network') await networkSections(s, d, w, obj);
    else if (r.kind === 'Switch') await switchSections(s, d, w, obj);
    else if (r.kind === 'Port') await portSections(s, d, w, obj);
    else if (r.kind === 'Project') await projectSections(s, d, w, obj);
  }
  await eventsSection(s, d, w, obj, r);
  return w.render();
}

export interface DescribeOptions {
  selector?: string;
  allNamespaces?: boolean;
}

export async function runDescribe(s: Session, args: string[], o: DescribeOptions): Promise<number> {
  const d = await s.discovery();
  const groups = parseTypeArgs(d, args);
  if (!groups.length)
    throw new CliError('describe needs a resource type and usually a name, e.g. "hilctl describe hn node-01"');
  const outputs: string[] = [];
  let failed = false;
  for (const g of groups) {
    const r = g.resource;
    if (g.names.length) {
      for (let i = 0; i < g.names.length; i++) {
        try {
          const obj = await s.client.get(objectPath(r, g.names[i], namespaceFor(s, g, i)));
          outputs.push(await describeObject(s, d, r, obj));
        } catch (err) {
          if (err instanceof StatusError && err.httpStatus === 404) {
            s.err(formatError(err));
            failed = true;
            continue;
          }
          throw err;
        }
      }
    } else {
      const ns = r.namespaced && !o.allNamespaces ? s.namespace : undefined;
      const l = await s.client.get(collectionPath(r, ns), { labelSelector: o.selector });
      for (const item of l?.items ?? [])
        outputs.push(
          await describeObject(s, d, r, {
            apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
            kind: r.kind,
            ...item,
          }),
        );
    }
  }
  if (outputs.length) s.write(outputs.join('\n\n'));
  else if (!failed) s.err('No resources found');
  return failed ? 1 : 0;
}
