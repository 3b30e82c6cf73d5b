// HIL's transport (hil/rest.py): a call is a method and a URL pattern; its arguments are the URL's parameters plus
// the JSON object body (or, for GET, the query string), checked against the call's schema — missing keys, extra
// keys, wrong JSON types, a key given twice — before the caller is authenticated, as HIL does.
import { hil } from './errors.js';
import type { V0Session } from './session.js';

/** Argument types: a JSON string, boolean, object, or anything; `?` makes it optional. */
export type ArgType = 'string' | 'boolean' | 'object' | 'any' | 'string?' | 'boolean?' | 'object?' | 'any?';

export interface Answer {
  code?: number;
  body?: unknown;
  /** The call wrote the response itself (a stream: show_console). */
  streamed?: boolean;
}

/** The HTTP exchange, for the calls that stream their answer. */
export interface Exchange {
  req: import('express').Request;
  res: import('express').Response;
}

export interface Call {
  /** HIL's name of the call (api.py function). */
  name: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  /** Path after /v0, with :param segments; a final `:param+` segment before an optional fixed tail takes slashes (port names). */
  path: string;
  /** Body (or query) arguments. */
  args?: Record<string, ArgType>;
  /** Extra body keys allowed (switch_register's driver fields). */
  extraArgs?: boolean;
  run(s: V0Session, a: Record<string, any>, http: Exchange): Promise<Answer | void>;
}

interface Compiled {
  call: Call;
  re: RegExp;
  params: string[];
}

export function compile(calls: Call[]): Compiled[] {
  return calls.map((call) => {
    const params: string[] = [];
    const src = call.path
      .split('/')
      .filter(Boolean)
      .map((seg) => {
        if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const greedy = seg.endsWith('+');
        params.push(greedy ? seg.slice(1, -1) : seg.slice(1));
        return greedy ? '(.+)' : '([^/]+)';
      })
      .join('/');
    // A path ending in "/" (HIL's /headnode_images/) is answered with or without it, as Flask redirects.
    return { call, re: new RegExp(`^/${src}${call.path.endsWith('/') ? '/?' : ''}$`), params };
  });
}

/** The call and its URL parameters for a method and a path (relative to /v0, still percent-encoded). */
export function route(
  compiled: Compiled[],
  method: string,
  path: string,
): { call: Call; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const c of compiled) {
    const m = c.re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (c.call.method !== method) continue;
    const params: Record<string, string> = {};
    try {
      c.params.forEach((p, i) => (params[p] = decodeURIComponent(m[i + 1])));
    } catch {
      return undefined;
    }
    return { call: c.call, params };
  }
  return pathMatched ? 'method' : undefined;
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return v !== undefined;
  }
}

/** Merges URL parameters with the body (or query) and checks the result against the call's schema. */
export function parseArgs(
  call: Call,
  params: Record<string, string>,
  method: string,
  raw: Buffer | undefined,
  query: Record<string, unknown>,
): Record<string, any> {
  let given: Record<string, unknown> = {};
  if (method === 'GET') {
    if (raw && raw.length) throw hil.validation('GET request made with a non-empty request body');
    for (const [k, v] of Object.entries(query)) {
      const value = Array.isArray(v) ? v[0] : v;
      if (value === '' || value === undefined) throw hil.validation('Empty parameter specified');
      given[k] = String(value);
    }
  } else if (raw && raw.length && raw.toString('utf8').trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw hil.validation('The request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw hil.validation();
    given = body as Record<string, unknown>;
  }
  const out: Record<string, any> = { ...params };
  const schema = call.args ?? {};
  for (const [k, v] of Object.entries(given)) {
    if (Object.hasOwn(params, k)) throw hil.validation();
    if (!Object.hasOwn(schema, k) && !call.extraArgs) throw hil.validation();
    out[k] = v;
  }
  for (const [k, t] of Object.entries(schema)) {
    const optional = t.endsWith('?');
    if (!Object.hasOwn(given, k)) {
      if (!optional) throw hil.validation();
      continue;
    }
    if (!typeOk(t.replace('?', ''), given[k])) throw hil.validation();
  }
  return out;
}
