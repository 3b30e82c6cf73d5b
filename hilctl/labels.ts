// Label selectors on the client side (`apply -l`, which applies only the matching objects from the files):
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated, all must hold.
import { CliError } from './errors.js';

type Req = { key: string; op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'absent'; values: string[] };

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

export function parseSelector(selector: string): Req[] {
  return splitTop(selector).map((part) => {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s=!()]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) };
    }
    if ((m = part.match(/^([^\s=!()]+)\s*(==|=|!=)\s*([^\s=!()]*)$/))) {
      return { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
    }
    if ((m = part.match(/^!\s*([^\s=!()]+)$/))) return { key: m[1]!, op: 'absent', values: [] };
    if ((m = part.match(/^([^\s=!()]+)$/))) return { key: m[1]!, op: 'exists', values: [] };
    throw new CliError(`cannot parse the label selector "${selector}" at "${part}"`);
  });
}

export function matchesSelector(reqs: Req[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.values[0];
      case 'ne':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case 'absent':
        return !has;
    }
  });
}
