// `hilctl wait KIND/NAME --for=condition=Ready --timeout=60s`, and the waits other commands share (delete
// --wait, attach --wait): read the object, and if it is not there yet, watch it until it is or time runs out.
import { collectionPath, objectRef, qualifiedName, type ResourceInfo } from './discovery.js';
import { parseDuration } from './duration.js';
import { CliError, StatusError } from './errors.js';
import { executeTemplate, JsonPathError } from '../api/meta/jsonpath.js';
import type { Session } from './session.js';
import { namespaceFor, parseTypeArgs, targetsFromFiles, type TargetGroup } from './targets.js';
import { watchLoop } from './watch.js';

export type WaitFor =
  | { t: 'condition'; type: string; status: string }
  | { t: 'delete' }
  | { t: 'create' }
  | { t: 'jsonpath'; template: string; value?: string };

export function parseFor(v: string | undefined): WaitFor {
  if (!v) throw new CliError("wait needs --for: condition=TYPE[=STATUS], delete, create or jsonpath='{PATH}'[=VALUE]");
  if (v === 'delete') return { t: 'delete' };
  if (v === 'create') return { t: 'create' };
  if (v.startsWith('condition=')) {
    const [type, status] = v.slice('condition='.length).split('=');
    if (!type) throw new CliError(`--for=${v}: a condition type is needed, e.g. --for=condition=Ready`);
    return { t: 'condition', type, status: status ?? 'True' };
  }
  if (v.startsWith('jsonpath=')) {
    const rest = v.slice('jsonpath='.length);
    let template: string;
    let value: string | undefined;
    if (rest.startsWith('{')) {
      const close = rest.lastIndexOf('}');
      template = rest.slice(0, close + 1);
      const tail = rest.slice(close + 1);
      if (tail) {
        if (!tail.startsWith('=')) throw new CliError(`--for=${v}: expected jsonpath='{PATH}'=VALUE`);
        value = tail.slice(1);
      }
    } else {
      const eq = rest.indexOf('=');
      template = eq < 0 ? rest : rest.slice(0, eq);
      value = eq < 0 ? undefined : rest.slice(eq + 1);
    }
    try {
      executeTemplate(template, {});
    } catch (err) {
      if (err instanceof JsonPathError) throw new CliError(`--for=${v}: ${err.message}`);
      throw err;
    }
    return { t: 'jsonpath', template, value };
  }
  throw new CliError(`--for=${v}: expected condition=TYPE[=STATUS], delete, create or jsonpath='{PATH}'[=VALUE]`);
}

export function describeFor(f: WaitFor): string {
  switch (f.t) {
    case 'condition':
      return `condition ${f.type}=${f.status}`;
    case 'jsonpath':
      return `${f.template}${f.value !== undefined ? `=${f.value}` : ''}`;
    default:
      return f.t === 'delete' ? 'deletion' : 'creation';
  }
}

/** Whether an object (undefined = absent) satisfies the wait. */
export function satisfied(f: WaitFor, obj: any): boolean {
  switch (f.t) {
    case 'delete':
      return !obj;
    case 'create':
      return !!obj;
    case 'condition': {
      if (!obj) return false;
      const c = (obj.status?.conditions ?? []).find((x: any) => String(x?.type).toLowerCase() === f.type.toLowerCase());
      if (!c || String(c.status).toLowerCase() !== f.status.toLowerCase()) return false;
      // A condition computed from an older spec says nothing about the current one.
      const gen = obj.metadata?.generation;
      return !(typeof c.observedGeneration === 'number' && typeof gen === 'number' && c.observedGeneration < gen);
    }
    case 'jsonpath': {
      if (!obj) return false;
      const got = executeTemplate(f.template, obj);
      return f.value === undefined ? got !== '' : got === f.value;
    }
  }
}

/** Parses --timeout: a duration; 0 = check once; negative = a week (kubectl's "forever"). */
export function deadlineFrom(timeout: string | undefined, defaultMs: number): number {
  if (timeout === undefined) return Date.now() + defaultMs;
  const t = timeout.trim();
  if (t.startsWith('-')) return Date.now() + 7 * 86_400_000;
  try {
    return Date.now() + parseDuration(t, '--timeout');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/**
 * Waits until one object satisfies `f` or the deadline passes. `uid` (for deletion) makes a re-created object of
 * the same name count as gone. `onSlow` is called once if the wait lasts more than two seconds.
 */
export async function waitForObject(
  s: Session,
  r: ResourceInfo,
  name: string,
  namespace: string | undefined,
  f: WaitFor,
  deadline: number,
  opts: { uid?: string; onSlow?: (obj: any) => void } = {},
): Promise<'met' | 'timeout'> {
  const path = collectionPath(r, namespace);
  const fieldSelector = `metadata.name=${name}`;
  let last: any;
  const check = (obj: any) => {
    const present = obj && (!opts.uid || obj.metadata?.uid === opts.uid) ? obj : undefined;
    last = present;
    return satisfied(f, present);
  };
  const list = async (): Promise<{ met: boolean; rv: string }> => {
    const l = await s.client.get(path, { fieldSelector });
    const item = (l?.items ?? []).find(
      (i: any) => i?.metadata?.name === name && (!r.namespaced || i.metadata?.namespace === namespace),
    );
    return { met: check(item), rv: l?.metadata?.resourceVersion ?? '0' };
  };
  const first = await list();
  if (first.met) return 'met';
  if (f.t !== 'delete' && f.t !== 'create' && !last) {
    throw new StatusError(
      404,
      { kind: 'Status', code: 404, reason: 'NotFound', message: `${qualifiedName(r)} "${name}" not found` },
      `GET ${path}`,
    );
  }
  if (Date.now() >= deadline) return 'timeout';
  let slow: NodeJS.Timeout | undefined;
  if (opts.onSlow) slow = setTimeout(() => opts.onSlow!(last), 2000);
  try {
    return (await watchLoop(s.client, {
      path,
      query: { fieldSelector },
      resourceVersion: first.rv,
      deadline,
      relist: async () => {
        const again = await list();
        return again.met ? undefined : again.rv;
      },
      onEvent: (ev) => {
        if (ev.object?.metadata?.name !== name) return false;
        if (ev.type === 'DELETED') {
          if (f.t === 'delete') return check(undefined);
          if (!opts.uid || ev.object?.metadata?.uid === opts.uid) {
            last = undefined;
            if (f.t !== 'create')
              throw new CliError(`${objectRef(r, name)} was deleted while waiting for ${describeFor(f)}`);
          }
          return false;
        }
        return check(ev.object);
      },
    })) === 'stopped'
      ? 'met'
      : 'timeout';
  } finally {
    if (slow) clearTimeout(slow);
  }
}

export interface WaitOptions {
  for?: string;
  timeout?: string;
  selector?: string;
  all?: boolean;
  filename?: string[];
  recursive?: boolean;
}

export async function runWait(s: Session, args: string[], o: WaitOptions): Promise<number> {
  const f = parseFor(o.for);
  const deadline = deadlineFrom(o.timeout, 30_000);
  const d = await s.discovery();
  let groups: TargetGroup[] = o.filename?.length
    ? await targetsFromFiles(s, o.filename, !!o.recursive)
    : parseTypeArgs(d, args);
  if (!groups.length)
    throw new CliError('wait needs objects: KIND/NAME, KIND NAME…, KIND -l SELECTOR, KIND --all or -f FILE');
  // KIND -l / --all: the objects that match now.
  const expanded: TargetGroup[] = [];
  for (const g of groups) {
    if (g.names.length) expanded.push(g);
    else if (o.selector || o.all) {
      const l = await s.client.get(collectionPath(g.resource, g.resource.namespaced ? s.namespace : undefined), {
        labelSelector: o.selector,
      });
      const names = (l?.items ?? []).map((i: any) => i.metadata.name as string);
      if (names.length) expanded.push({ resource: g.resource, names });
    } else throw new CliError(`wait ${qualifiedName(g.resource)}: name the objects (or use -l SELECTOR / --all)`);
  }
  groups = expanded;
  if (!groups.length) throw new CliError('no matching resources found');
  let failed = false;
  for (const g of groups) {
    for (let i = 0; i < g.names.length; i++) {
      const name = g.names[i];
      const ns = namespaceFor(s, g, i);
      const ref = objectRef(g.resource, name);
      try {
        const r = await waitForObject(s, g.resource, name, ns, f, deadline);
        if (r === 'met') s.out(`${ref} condition met`);
        else {
          s.err(`error: timed out waiting for ${describeFor(f)} on ${qualifiedName(g.resource)}/${name}`);
          failed = true;
        }
      } catch (err) {
        if (err instanceof StatusError && err.httpStatus === 404) {
          s.err(`Error from server (NotFound): ${err.message}`);
          failed = true;
          continue;
        }
        throw err;
      }
    }
  }
  return failed ? 1 : 0;
}
