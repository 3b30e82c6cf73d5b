// The console's only way to the server: the resource API, same origin, with the caller's credential in a header
// (never a cookie, so no request can be forged from another site). The token lives in sessionStorage for this tab
// only; nothing else is stored in the browser.
import { useEffect, useState } from 'preact/hooks';

export const H = '/apis/hil.io/v1alpha1';

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec?: any;
  status?: any;
  [k: string]: any;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Session {
  /** How the credential is sent: a bearer token (database, keystone) or nothing (null backend). */
  token?: string;
  user: string;
  admin: boolean;
  projects: string[];
}

/** A refusal from the API, as its Status says it: the code, the message, and the fields a 422 names. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly causes: { field?: string; message?: string }[] = [],
  ) {
    super(message);
  }
  describe(): string {
    const fields = this.causes.filter((c) => c.field).map((c) => `${c.field}: ${c.message ?? ''}`);
    return `${this.code}: ${this.message}${fields.length && !fields.every((f) => this.message.includes(f.split(':')[0])) ? ` (${fields.join('; ')})` : ''}`;
  }
}

const TOKEN_KEY = 'hil.session';

export function savedSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(TOKEN_KEY);
}

let current: Session | undefined;
/** Called when the server says the credential is no longer good (401): back to sign-in. */
let onUnauthorized: () => void = () => {};

export function bindSession(s: Session | undefined, unauthorized: () => void): void {
  current = s;
  onUnauthorized = unauthorized;
}

function headers(extra: Record<string, string> = {}, token = current?.token): Record<string, string> {
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: any;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return new ApiError(
    res.status,
    typeof body?.message === 'string' ? body.message : `${res.status} ${res.statusText}`,
    Array.isArray(body?.details?.causes) ? body.details.causes : [],
  );
}

export async function request<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string; token?: string; basic?: string } = {},
): Promise<T> {
  const extra: Record<string, string> = {};
  if (body !== undefined) extra['content-type'] = opts.contentType ?? 'application/json';
  if (opts.basic) extra.authorization = `Basic ${opts.basic}`;
  const res = await fetch(path, {
    method,
    headers: headers(extra, opts.token),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !opts.basic && !opts.token) onUnauthorized();
    throw err;
  }
  return (await res.json()) as T;
}

export const mergePatch = (path: string, patch: unknown) =>
  request('PATCH', path, patch, { contentType: 'application/merge-patch+json' });

/** Reads a streaming answer (a watch, a console) chunk by chunk until it ends or `signal` aborts. */
export async function stream(
  path: string,
  signal: AbortSignal,
  onChunk: (text: string) => void,
  onOpen?: () => void,
): Promise<void> {
  const res = await fetch(path, { headers: headers(), credentials: 'omit', cache: 'no-store', signal });
  if (!res.ok || !res.body) {
    const err = await errorOf(res);
    if (res.status === 401) onUnauthorized();
    throw err;
  }
  onOpen?.();
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(dec.decode(value, { stream: true }));
  }
}

export interface Live<T extends KObject = KObject> {
  items: T[];
  /** Set when the list itself is refused (403 for admin-only kinds) or the server is unreachable. */
  error?: ApiError;
  loaded: boolean;
}

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * A collection kept live: list, then watch from the list's resourceVersion; when the watch ends (the server closes
 * each after a few minutes) it resumes, and after 410 Gone it lists again — what client-go's informers do.
 */
export function useLive<T extends KObject = KObject>(path: string | undefined): Live<T> {
  const [state, setState] = useState<Live<T>>({ items: [], loaded: false });
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    const objects = new Map<string, T>();
    const publish = () =>
      setState({
        items: [...objects.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
        loaded: true,
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const publishSoon = () => {
      // Many events at once (a re-list, a burst of status writes) become one render.
      timer ??= setTimeout(() => {
        timer = undefined;
        publish();
      }, 30);
    };
    const sep = path.includes('?') ? '&' : '?';
    void (async () => {
      let rv: string | undefined;
      while (!ctl.signal.aborted) {
        try {
          if (rv === undefined) {
            const list = await request<{ items: T[]; metadata: { resourceVersion: string } }>('GET', path);
            objects.clear();
            for (const o of list.items) objects.set(keyOf(o), o);
            rv = list.metadata.resourceVersion;
            publish();
          }
          let buf = '';
          let gone = false;
          await stream(`${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, ctl.signal, (text) => {
            buf += text;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              const ev = JSON.parse(line) as { type: string; object: any };
              if (ev.type === 'ERROR') {
                gone = true;
                continue;
              }
              if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
              if (ev.type === 'BOOKMARK') continue;
              if (ev.type === 'DELETED') objects.delete(keyOf(ev.object));
              else objects.set(keyOf(ev.object), ev.object);
              publishSoon();
            }
          });
          if (gone) rv = undefined;
        } catch (err) {
          if (ctl.signal.aborted) return;
          const e = err instanceof ApiError ? err : new ApiError(0, `the server cannot be reached: ${String(err)}`);
          if (e.code === 410) {
            rv = undefined;
            continue;
          }
          setState((s) => ({ ...s, error: e, loaded: true }));
          if (e.code === 403 || e.code === 401) return;
          rv = undefined;
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    })();
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return state;
}

export function condition(o: KObject | undefined, type: string): Condition | undefined {
  return (o?.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/**
 * A network's colour, from its VLAN: VLANs are unique, and stepping the hue by the golden angle per VLAN id keeps
 * neighbouring VLANs (what a pool hands out one after another) far apart. Grey until the network has a VLAN.
 */
export function colourOf(vlan: number | undefined | null): string {
  if (typeof vlan !== 'number') return '#8a8f96';
  return `hsl(${Math.round((vlan * 137.508) % 360)}, 70%, 40%)`;
}
