// Label and field selectors, with Kubernetes' syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h` for labels and
// `metadata.name=x,spec.project!=y` for fields. One parser for the server (list, watch, delete-collection: bad
// syntax is a 400 there) and hilctl (`apply -l`). Pure: errors are SelectorErrors, each caller says them its way.

export class SelectorError extends Error {}

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

/**
 * One requirement, read left to right in linear time (a regex with a lazy key before the operator backtracked
 * quadratically on long selectors): KEY, !KEY, KEY (=|==|!=) VALUE, KEY (in|notin) (V1,V2,…).
 */
function parseRequirement(part: string): Requirement | undefined {
  if (part.startsWith('!')) {
    const key = part.slice(1).trim();
    return KEY.test(key) ? { op: 'notexists', key } : undefined;
  }
  let i = 0;
  while (i < part.length && !/[\s!=(),]/.test(part[i])) i++;
  const key = part.slice(0, i);
  const rest = part.slice(i).trimStart();
  if (!key) return undefined;
  if (rest === '') return { op: 'exists', key };
  const op = rest.startsWith('==') ? '==' : rest.startsWith('!=') ? '!=' : rest.startsWith('=') ? '=' : undefined;
  if (op) {
    const value = rest.slice(op.length).trim();
    if (/[\s(),!=]/.test(value)) return undefined;
    return { op: op === '!=' ? 'neq' : 'eq', key, value };
  }
  const set = /^(in|notin)\s*/.exec(rest);
  if (!set) return undefined;
  const list = rest.slice(set[0].length);
  if (!list.startsWith('(') || !list.endsWith(')') || list.indexOf(')') !== list.length - 1) return undefined;
  return {
    op: set[1] as 'in' | 'notin',
    key,
    values: list
      .slice(1, -1)
      .split(',')
      .map((v) => v.trim()),
  };
}

export function parseLabelSelector(selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    const req = parseRequirement(part);
    if (!req)
      throw new SelectorError(`unable to parse requirement: invalid label selector "${selector}" near "${part}"`);
    reqs.push(req);
  }
  for (const r of reqs)
    if (!KEY.test(r.key)) throw new SelectorError(`invalid label key "${r.key}" in selector "${selector}"`);
  return (labels) => {
    const l = labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      switch (r.op) {
        case 'eq':
          return has && l[r.key] === r.value;
        case 'neq':
          return !has || l[r.key] !== r.value;
        case 'in':
          return has && r.values.includes(l[r.key]);
        case 'notin':
          return !has || !r.values.includes(l[r.key]);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
    });
  };
}

export type ObjectMatcher = (obj: Record<string, any>) => boolean;

/** The value of a dotted field path, as a string ("" when absent), the way field selectors compare. */
export function fieldValue(obj: Record<string, any>, path: string): string {
  let v: any = obj;
  for (const seg of path.split('.')) {
    if (v == null || typeof v !== 'object') return '';
    v = v[seg];
  }
  if (v == null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export function parseFieldSelector(selector: string | undefined): ObjectMatcher {
  if (!selector) return () => true;
  const reqs: { path: string; neq: boolean; value: string }[] = [];
  for (const part of splitTopLevel(selector)) {
    const m = /^([^!=\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m || !FIELD_PATH.test(m[1])) throw new SelectorError(`invalid field selector "${selector}" near "${part}"`);
    reqs.push({ path: m[1], neq: m[2] === '!=', value: m[3].trim() });
  }
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neq);
}
