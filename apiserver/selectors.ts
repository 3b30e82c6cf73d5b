// Label and field selectors, with Kubernetes' syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h` for labels and
// `metadata.name=x,spec.project!=y` for fields. Bad syntax is a 400, as on a real server.
import { errors } from './errors.js';

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

export function parseLabelSelector(selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      reqs.push({ op: m[2] as 'in' | 'notin', key: m[1]!, values: m[3]!.split(',').map((v) => v.trim()) });
    } else if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(part))) {
      reqs.push({ op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! });
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      reqs.push({ op: 'notexists', key: m[1]! });
    } else if (KEY.test(part)) {
      reqs.push({ op: 'exists', key: part });
    } else {
      throw errors.badRequest(`unable to parse requirement: invalid label selector "${selector}" near "${part}"`);
    }
  }
  for (const r of reqs) if (!KEY.test(r.key)) throw errors.badRequest(`invalid label key "${r.key}" in selector "${selector}"`);
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
          return has && r.values.includes(l[r.key]!);
        case 'notin':
          return !has || !r.values.includes(l[r.key]!);
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
    if (!m || !FIELD_PATH.test(m[1]!)) throw errors.badRequest(`invalid field selector "${selector}" near "${part}"`);
    reqs.push({ path: m[1]!, neq: m[2] === '!=', value: m[3]!.trim() });
  }
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neq);
}
