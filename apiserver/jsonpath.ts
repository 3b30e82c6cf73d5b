// The subset of Kubernetes JSONPath that printer columns use: `.a.b`, `.a[0].b`, `.a[*].b` and
// `.a[?(@.k=="v")].b`. Returns every match (a filter or [*] can match several).

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

const cache = new Map<string, Step[]>();

export function parseJsonPath(expr: string): Step[] {
  const hit = cache.get(expr);
  if (hit) return hit;
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`unsupported JSONPath "${expr}" at "${s.slice(pos)}"`);
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ filter: { path: m[3].slice(1).split('.'), value: m[4] ?? m[5] ?? '' } });
    else steps.push({ all: true });
    pos = re.lastIndex;
  }
  cache.set(expr, steps);
  return steps;
}

export function evalJsonPath(obj: unknown, expr: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of parseJsonPath(expr)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v == null || typeof v !== 'object') continue;
      if ('field' in step) {
        const x = (v as any)[step.field];
        if (x !== undefined) next.push(x);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: any = item;
          for (const p of step.filter.path) x = x == null ? undefined : x[p];
          if (x !== undefined && String(x) === step.filter.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
