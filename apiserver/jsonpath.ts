// Printer columns' JSONPath (`.status.conditions[?(@.type=="Ready")].status`): the shared implementation
// (api/meta/jsonpath.ts), with each column's path parsed once.
import { findAll, parsePath } from '../api/meta/jsonpath.js';

const parsed = new Map<string, ReturnType<typeof parsePath>>();

/** Every value `expr` (optionally in `{…}`) finds in `obj`. */
export function evalJsonPath(obj: unknown, expr: string): unknown[] {
  let path = parsed.get(expr);
  if (!path) {
    let s = expr.trim();
    if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
    path = parsePath(s);
    parsed.set(expr, path);
  }
  return findAll(path, obj).filter((v) => v !== undefined);
}
