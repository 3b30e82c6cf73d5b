// The HTTP client: node's http/https with the connection's credentials and TLS settings (a CA file works on
// Node 20, unlike global fetch), JSON in and out, every error answer turned into a StatusError, `Warning`
// headers passed to the caller, and watch streams read line by line.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { connectionErrorFor, reasonForCode, StatusError, type Status } from './errors.js';
import type { Connection } from './connection.js';

export const HILCTL_VERSION = '0.1.0';
export const USER_AGENT = `hilctl/${HILCTL_VERSION} (${process.platform}/${process.arch}) node/${process.versions.node}`;

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** Per-request timeout; default the client's. 0 = none. */
  timeoutMs?: number;
}

export interface HttpResponse<T = any> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

export interface WatchHandle {
  /** Resolves when the server ends the stream (or close() is called); rejects on an error answer. */
  done: Promise<void>;
  close(): void;
}

export function buildQuery(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `299 - "message"` → message (RFC 7234 warning headers, as the server sends them). */
export function parseWarnings(h: string | string[] | undefined): string[] {
  if (!h) return [];
  const all = Array.isArray(h) ? h : [h];
  const out: string[] = [];
  for (const line of all) {
    const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
    let m: RegExpExecArray | null;
    let found = false;
    while ((m = re.exec(line))) {
      found = true;
      out.push(m[1].replace(/\\(.)/g, '$1'));
    }
    if (!found) out.push(line);
  }
  return out;
}

export class ApiClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** Called with each `Warning` header the server sends. */
  onWarning: (message: string) => void = () => {};
  /** Called after each answer (for -v). */
  onResponse: (method: string, path: string, status: number, ms: number) => void = () => {};

  constructor(
    readonly conn: Connection,
    readonly defaultTimeoutMs = 0,
  ) {
    this.base = new URL(conn.server);
    const isHttps = this.base.protocol === 'https:';
    this.agent = isHttps
      ? new https.Agent({
          keepAlive: true,
          ca: conn.ca,
          cert: conn.cert,
          key: conn.key,
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
          servername: conn.tlsServerName,
        })
      : new http.Agent({ keepAlive: true });
  }

  get server(): string {
    return this.conn.server;
  }

  /** Frees the keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private async start(
    method: string,
    path: string,
    opts: RequestOptions,
  ): Promise<{ req: http.ClientRequest; res: Promise<http.IncomingMessage> }> {
    const url = new URL(this.base.href);
    url.pathname = `${this.base.pathname.replace(/\/$/, '')}${path}`;
    url.search = buildQuery(opts.query);
    const headers: Record<string, string> = {
      'User-Agent': USER_AGENT,
      Accept: opts.accept ?? 'application/json',
      ...(opts.headers ?? {}),
    };
    const authz = await this.conn.authorization();
    if (authz && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.Authorization = authz;
    if (this.conn.impersonateUser) headers['Impersonate-User'] = this.conn.impersonateUser;
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body), 'utf8');
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, agent: this.agent });
    const res = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', (err) => reject(connectionErrorFor(this.conn.server, err)));
    });
    const timeout = opts.timeoutMs ?? this.defaultTimeoutMs;
    if (timeout > 0) {
      req.setTimeout(timeout, () =>
        req.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'HILCTL_TIMEOUT' })),
      );
    }
    req.end(payload);
    return { req, res };
  }

  /** A request whose non-2xx answers are returned, not thrown. */
  async raw(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<string>> {
    const started = Date.now();
    const { res } = await this.start(method, path, opts);
    const r = await res;
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', resolve);
      r.on('error', (err) => reject(connectionErrorFor(this.conn.server, err)));
    });
    for (const w of parseWarnings(r.headers.warning)) this.onWarning(w);
    this.onResponse(method, `${path}${buildQuery(opts.query)}`, r.statusCode ?? 0, Date.now() - started);
    return { status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** A JSON request; an answer ≥ 400 throws a StatusError. */
  async request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    const r = await this.raw(method, path, opts);
    if (r.status >= 400) throw toStatusError(r, `${method} ${path}${buildQuery(opts.query)}`);
    let body: any = undefined;
    if (r.body) {
      try {
        body = JSON.parse(r.body);
      } catch {
        body = r.body;
      }
    }
    return { status: r.status, headers: r.headers, body };
  }

  get<T = any>(path: string, query?: Query, accept?: string): Promise<T> {
    return this.request<T>('GET', path, { query, accept }).then((r) => r.body);
  }

  /** GET that answers undefined for 404. */
  async getIfExists<T = any>(path: string, query?: Query): Promise<T | undefined> {
    try {
      return await this.get<T>(path, query);
    } catch (err) {
      if (err instanceof StatusError && err.httpStatus === 404) return undefined;
      throw err;
    }
  }

  /**
   * GET …?watch=true: calls onEvent for each event line until the server ends the stream. Answers ≥ 400 before
   * the stream starts reject `done` with a StatusError (410 Gone included: the caller re-lists).
   */
  async watch(path: string, query: Query, onEvent: (ev: WatchEvent) => void, accept?: string): Promise<WatchHandle> {
    const q = { ...query, watch: 'true' };
    const full = `${path}${buildQuery(q)}`;
    const { req, res } = await this.start('GET', path, { query: q, accept, timeoutMs: 0 });
    let closed = false;
    const done = (async () => {
      let r: http.IncomingMessage;
      try {
        r = await res;
      } catch (err) {
        if (closed) return;
        throw err;
      }
      if ((r.statusCode ?? 0) >= 400) {
        const chunks: Buffer[] = [];
        for await (const c of r) chunks.push(c as Buffer);
        throw toStatusError(
          { status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks).toString('utf8') },
          `GET ${full}`,
        );
      }
      r.setEncoding('utf8');
      let buf = '';
      await new Promise<void>((resolve, reject) => {
        r.on('data', (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (!line) continue;
            let ev: WatchEvent;
            try {
              ev = JSON.parse(line);
            } catch {
              continue;
            }
            try {
              onEvent(ev);
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
              req.destroy();
              return;
            }
          }
        });
        r.on('end', () => resolve());
        r.on('close', () => resolve());
        r.on('error', (err) => (closed ? resolve() : reject(connectionErrorFor(this.conn.server, err))));
      });
    })();
    return {
      done,
      close() {
        closed = true;
        req.destroy();
      },
    };
  }
}

export function toStatusError(r: HttpResponse<string>, request: string): StatusError {
  let status: Status | undefined;
  try {
    const parsed = JSON.parse(r.body);
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status') status = parsed;
  } catch {
    /* not JSON */
  }
  if (!status) {
    const text = r.body
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
    status = {
      kind: 'Status',
      status: 'Failure',
      code: r.status,
      reason: reasonForCode(r.status),
      message: text
        ? `the server answered ${r.status}: ${text}`
        : `the server answered ${r.status} with no explanation`,
    };
  }
  return new StatusError(r.status, status, request);
}
