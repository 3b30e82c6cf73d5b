// Kubernetes JSONPath, one implementation for the server's printer columns (parsePath, findAll) and hilctl's
// templates for `-o jsonpath=…` and `-o custom-columns=…`: text with `{…}` expressions,
// `{range …}{end}`, string literals (`{"\n"}`), and paths with `.field`, `..field`, `[n]`, `[a:b]`, `[*]`,
// `['a.b']`, unions `[a,b]` and filters `[?(@.type=="Ready")]`. Missing keys print nothing, as kubectl does by
// default (--allow-missing-template-keys=true).

type Step =
  | { t: 'field'; names: string[] }
  | { t: 'recursive'; name: string }
  | { t: 'index'; indices: number[] }
  | { t: 'slice'; start?: number; end?: number; step?: number }
  | { t: 'wild' }
  | { t: 'filter'; path: Path; op?: string; value?: unknown };

interface Path {
  /** `$` = from the root; otherwise from the current item (`@`, or `.` inside range). */
  fromRoot: boolean;
  steps: Step[];
}

type Node = { t: 'text'; text: string } | { t: 'path'; path: Path } | { t: 'range'; path: Path; body: Node[] };

export class JsonPathError extends Error {}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function unquote(s: string): string {
  const q = s[0];
  const inner = s.slice(1, -1);
  if (q === '"') {
    try {
      return JSON.parse(s);
    } catch {
      return inner;
    }
  }
  return inner.replace(/\\(.)/g, '$1');
}

/** Splits at top-level commas (outside quotes and brackets). */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      cur += c;
      if (c === '\\' && i + 1 < s.length) cur += s[++i];
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function parseLiteral(s: string): unknown {
  const v = s.trim();
  if (/^(["']).*\1$/.test(v)) return unquote(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v === 'null' || v === 'nil') return null;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  throw new JsonPathError(`unrecognized literal ${v}`);
}

function parseBracket(inner: string): Step {
  const s = inner.trim();
  if (s === '*') return { t: 'wild' };
  if (s.startsWith('?(') && s.endsWith(')')) {
    const body = s.slice(2, -1).trim();
    const parts = body.match(/^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>|=~)\s*(.+)$/);
    if (parts) return { t: 'filter', path: parsePath(parts[1].trim()), op: parts[2], value: parseLiteral(parts[3]) };
    return { t: 'filter', path: parsePath(body) };
  }
  const items = splitTop(s, ',').map((x) => x.trim());
  if (items.every((x) => /^(["']).*\1$/.test(x))) return { t: 'field', names: items.map(unquote) };
  if (items.length === 1 && s.includes(':')) {
    const [a, b, c] = s.split(':').map((x) => x.trim());
    const n = (x: string | undefined) => (x === undefined || x === '' ? undefined : Number(x));
    return { t: 'slice', start: n(a), end: n(b), step: n(c) };
  }
  if (items.every((x) => /^-?\d+$/.test(x))) return { t: 'index', indices: items.map(Number) };
  if (items.every((x) => /^[A-Za-z0-9_\-/.]+$/.test(x))) return { t: 'field', names: items };
  throw new JsonPathError(`unrecognized bracket expression [${inner}]`);
}

/** Parses `.a.b[0]`, `$.items[*]`, `@.status`, `..name`. */
export function parsePath(text: string): Path {
  let s = text.trim();
  let fromRoot = false;
  if (s.startsWith('$')) {
    fromRoot = true;
    s = s.slice(1);
  } else if (s.startsWith('@')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const readName = (): string => {
    let name = '';
    while (i < s.length && s[i] !== '.' && s[i] !== '[') {
      if (s[i] === '\\' && i + 1 < s.length) {
        name += s[i + 1];
        i += 2;
        continue;
      }
      name += s[i++];
    }
    return name;
  };
  if (i < s.length && s[i] !== '.' && s[i] !== '[') steps.push({ t: 'field', names: [readName()] });
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      if (s[i + 1] === '.') {
        i += 2;
        const name = s[i] === '*' ? (i++, '*') : readName();
        steps.push({ t: 'recursive', name });
        continue;
      }
      i++;
      if (s[i] === '*') {
        i++;
        steps.push({ t: 'wild' });
        continue;
      }
      if (i >= s.length || s[i] === '[' || s[i] === '.') continue; // `.` alone: the current item
      steps.push({ t: 'field', names: [readName()] });
    } else if (c === '[') {
      let depth = 0;
      let quote = '';
      let j = i;
      for (; j < s.length; j++) {
        const d = s[j];
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = '';
          continue;
        }
        if (d === '"' || d === "'") quote = d;
        else if (d === '[') depth++;
        else if (d === ']' && --depth === 0) break;
      }
      if (j >= s.length) throw new JsonPathError(`unterminated [ in ${text}`);
      steps.push(parseBracket(s.slice(i + 1, j)));
      i = j + 1;
    } else {
      throw new JsonPathError(`unexpected "${c}" in ${text}`);
    }
  }
  return { fromRoot, steps };
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || (typeof a === 'number' && typeof b === 'string' && String(a) === b);
    case '!=':
      return a !== b;
    case '<':
      return (a as any) < (b as any);
    case '<=':
      return (a as any) <= (b as any);
    case '>':
      return (a as any) > (b as any);
    case '>=':
      return (a as any) >= (b as any);
    case '=~':
      return typeof a === 'string' && new RegExp(String(b)).test(a);
    default:
      return false;
  }
}

function recurse(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (name === '*') out.push(x);
      recurse(x, name, out);
    }
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (name === '*' || k === name) out.push(x);
      recurse(x, name, out);
    }
  }
}

function evalSteps(steps: Step[], start: unknown[], root: unknown): unknown[] {
  let cur = start;
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (st.t) {
        case 'field':
          for (const n of st.names) if (isObj(v) && n in v) next.push(v[n]);
          break;
        case 'recursive':
          recurse(v, st.name, next);
          break;
        case 'index':
          if (Array.isArray(v)) {
            for (const i of st.indices) {
              const k = i < 0 ? v.length + i : i;
              if (k >= 0 && k < v.length) next.push(v[k]);
            }
          }
          break;
        case 'slice':
          if (Array.isArray(v)) {
            const len = v.length;
            const norm = (x: number | undefined, d: number) =>
              x === undefined ? d : x < 0 ? Math.max(0, len + x) : Math.min(x, len);
            const step = st.step ?? 1;
            for (let k = norm(st.start, 0); k < norm(st.end, len); k += step > 0 ? step : 1) next.push(v[k]);
          }
          break;
        case 'wild':
          if (Array.isArray(v)) next.push(...v);
          else if (isObj(v)) next.push(...Object.values(v));
          break;
        case 'filter': {
          const items = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
          for (const item of items) {
            const found = evalSteps(st.path.steps, [st.path.fromRoot ? root : item], root);
            if (
              st.op === undefined
                ? found.length > 0 && found[0] !== false && found[0] !== null
                : found.some((f) => compare(f, st.op!, st.value))
            ) {
              next.push(item);
            }
          }
          break;
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Every value a path finds in `data` (relative paths start at `current`, default the root). */
export function findAll(path: string | Path, data: unknown, current: unknown = data): unknown[] {
  const p = typeof path === 'string' ? parsePath(path) : path;
  return evalSteps(p.steps, [p.fromRoot ? data : current], data);
}

/** How one value prints: strings raw, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function findClose(s: string, from: number): number {
  let quote = '';
  for (let j = from; j < s.length; j++) {
    const d = s[j];
    if (quote) {
      if (d === '\\') j++;
      else if (d === quote) quote = '';
      continue;
    }
    if (d === '"' || d === "'") quote = d;
    else if (d === '}') return j;
  }
  return -1;
}

/** Parses a template: `{.metadata.name}`, `{range .items[*]}{.metadata.name}{"\n"}{end}`. */
export function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) stack[stack.length - 1].push({ t: 'text', text });
    text = '';
  };
  while (i < template.length) {
    const c = template[i];
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    const close = findClose(template, i + 1);
    if (close < 0) throw new JsonPathError(`unclosed { in template ${template}`);
    flush();
    const expr = template.slice(i + 1, close).trim();
    i = close + 1;
    if (expr === 'end') {
      if (stack.length === 1) throw new JsonPathError('{end} without {range}');
      stack.pop();
    } else if (expr.startsWith('range ')) {
      const node: Node = { t: 'range', path: parsePath(expr.slice(6)), body: [] };
      stack[stack.length - 1].push(node);
      stack.push(node.body);
    } else if (/^(["']).*\1$/s.test(expr)) {
      stack[stack.length - 1].push({ t: 'text', text: String(parseLiteral(expr)) });
    } else {
      // A union of paths (`{.a,.b}`) prints each in turn.
      for (const part of splitTop(expr, ',')) stack[stack.length - 1].push({ t: 'path', path: parsePath(part) });
    }
  }
  flush();
  if (stack.length !== 1) throw new JsonPathError('{range} without {end}');
  return root;
}

function run(nodes: Node[], root: unknown, current: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'path')
      out += evalSteps(n.path.steps, [n.path.fromRoot ? root : current], root)
        .map(formatValue)
        .join(' ');
    else
      for (const item of evalSteps(n.path.steps, [n.path.fromRoot ? root : current], root))
        out += run(n.body, root, item);
  }
  return out;
}

/** Runs a kubectl JSONPath template against data. A template without braces is taken as one path. */
export function executeTemplate(template: string, data: unknown): string {
  const t = template.includes('{') ? template : `{${template}}`;
  return run(parseTemplate(t), data, data);
}
