// The HTTP side of the REST switch drivers: one keep-alive agent per session, HTTP Basic auth on every request, a
// deadline on every request, TLS verified against the system's CAs or the Switch's own CA bundle (or not at all when
// the admin said `insecureSkipTLSVerify`), and failures turned into SwitchErrors carrying the switch's own words.
// Every request and reply goes to the transcript at debug level; the Authorization header is never logged and the
// password is replaced by `<redacted>` wherever it would appear.
import http from 'node:http';
import https from 'node:https';
import { SwitchError } from '../errors.js';
import { errorMessageOf } from './xml.js';

export interface RestLog {
  debug(message: string, meta?: Record<string, unknown>): void;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RestReply {
  readonly status: number;
  readonly body: string;
}

/** The switch answered with an HTTP error: `message` carries its own words (from its XML error body). */
export class RestHttpError extends SwitchError {
  constructor(
    readonly method: HttpMethod,
    readonly path: string,
    readonly status: number,
    readonly switchMessage: string | undefined,
  ) {
    super('failed', `the switch refused ${method} ${path}: HTTP ${status}${switchMessage ? `: ${switchMessage}` : ''}`);
  }
}

export interface RestClientOptions {
  /** `http://host:port` or `https://host:port`, no path. */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  /** Each request settles within this long. */
  readonly requestTimeoutMs: number;
  /** PEM CA bundle to trust instead of the system's (from `options.caSecretRef`). */
  readonly ca?: string;
  /** Do not verify the switch's certificate (`options.insecureSkipTLSVerify: "true"`). */
  readonly insecureSkipTLSVerify?: boolean;
  /** Requests in flight at once (sockets of the keep-alive agent). */
  readonly maxSockets: number;
  readonly log?: RestLog;
  /** The content type of request bodies; undefined: none sent. */
  readonly contentType?: string;
}

/** Node's TLS verification failures: the certificate, not the network, is the problem. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Connections idle this long are not reused (switch web servers close theirs after a few seconds). */
const IDLE_MS = 3000;

/** A kept-alive connection was reset when reused: the request may be sent again if it is safe to. */
class StaleSocketError extends SwitchError {
  constructor(readonly lost: SwitchError) {
    super('closed', lost.message);
  }
}

export class RestClient {
  private readonly agent: http.Agent;
  private lastUsed = performance.now();
  private readonly auth: string;
  private readonly isHttps: boolean;
  private destroyed = false;

  constructor(private readonly o: RestClientOptions) {
    this.isHttps = o.origin.startsWith('https:');
    this.auth = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
    this.agent = this.isHttps
      ? new https.Agent({
          keepAlive: true,
          maxSockets: o.maxSockets,
          ...(o.ca ? { ca: o.ca } : {}),
          rejectUnauthorized: !o.insecureSkipTLSVerify,
        })
      : new http.Agent({ keepAlive: true, maxSockets: o.maxSockets });
  }

  private redact(text: string): string {
    return this.o.password ? text.split(this.o.password).join('<redacted>') : text;
  }

  private trace(message: string, meta: Record<string, unknown>): void {
    this.o.log?.debug(message, { switch: this.o.origin, ...meta });
  }

  /**
   * Sends one request. Resolves with any reply whose status is below 400 or listed in `accept`; rejects with
   * `auth` (401/403), `RestHttpError` (other HTTP errors, with the switch's message), `unreachable` (cannot
   * connect, or a certificate not trusted), `closed` (the connection dropped before the reply) or `timeout`.
   */
  async request(method: HttpMethod, path: string, body?: string, accept: readonly number[] = []): Promise<RestReply> {
    this.dropIdleSockets();
    try {
      return await this.once(method, path, body, accept);
    } catch (err) {
      // A GET on a kept-alive connection the switch had just closed: nothing happened there, ask again once.
      if (err instanceof StaleSocketError && method === 'GET') return this.once(method, path, body, accept);
      throw err instanceof StaleSocketError ? err.lost : err;
    } finally {
      this.lastUsed = performance.now();
    }
  }

  /**
   * Switch web servers close idle connections after a few seconds; a request written on one of those is lost.
   * Connections idle longer than IDLE_MS are dropped before the next request, so it goes on a fresh one.
   */
  private dropIdleSockets(): void {
    if (performance.now() - this.lastUsed < IDLE_MS) return;
    for (const list of Object.values(this.agent.freeSockets)) for (const s of list ?? []) s.destroy();
  }

  private once(method: HttpMethod, path: string, body: string | undefined, accept: readonly number[]) {
    if (this.destroyed) return Promise.reject(new SwitchError('closed', 'the session is closed'));
    const started = performance.now();
    const url = new URL(path, this.o.origin);
    this.trace('switch rest request', { method, path, body: body === undefined ? undefined : this.redact(body) });
    return new Promise<RestReply>((resolve, reject) => {
      const mod = this.isHttps ? https : http;
      let settled = false;
      const fail = (err: SwitchError) => {
        if (settled) return;
        settled = true;
        this.trace('switch rest failure', { method, path, code: err.code, error: this.redact(err.message) });
        reject(err);
      };
      const req = mod.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: this.auth,
            Accept: 'application/xml, text/xml, */*',
            ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}),
            ...(body !== undefined && this.o.contentType ? { 'Content-Type': this.o.contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () =>
            fail(new SwitchError('closed', `the connection to the switch was lost during ${method} ${path}`)),
          );
          res.on('aborted', () =>
            fail(new SwitchError('closed', `the connection to the switch was lost during ${method} ${path}`)),
          );
          res.on('end', () => {
            if (settled) return;
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            this.trace('switch rest reply', {
              method,
              path,
              status,
              ms: Math.round(performance.now() - started),
              body: this.redact(text.length > 2000 ? `${text.slice(0, 2000)}…` : text),
            });
            if (status === 401 || status === 403) {
              return fail(
                new SwitchError(
                  'auth',
                  status === 401
                    ? `authentication failed: the switch refused the user name or password (HTTP 401)`
                    : `authentication failed: the user may not do this on the switch (HTTP 403; it needs config rights)${
                        errorMessageOf(text) ? `: ${errorMessageOf(text)}` : ''
                      }`,
                ),
              );
            }
            settled = true;
            if (status >= 400 && !accept.includes(status)) {
              reject(new RestHttpError(method, path, status, errorMessageOf(text)));
            } else resolve({ status, body: text });
          });
        },
      );
      req.setTimeout(this.o.requestTimeoutMs, () => {
        fail(
          new SwitchError(
            'timeout',
            `${method} ${path}: no answer from the switch within ${this.o.requestTimeoutMs} ms`,
          ),
        );
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (TLS_CODES.has(code)) {
          fail(
            new SwitchError(
              'unreachable',
              `the switch's TLS certificate is not trusted (${code}: ${err.message}); give its CA in options.caSecretRef, or set options.insecureSkipTLSVerify: "true"`,
            ),
          );
        } else if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code)) {
          fail(new SwitchError('unreachable', `cannot connect to ${this.o.origin}: ${code || err.message}`));
        } else if (this.destroyed) {
          fail(new SwitchError('closed', 'the session is closed'));
        } else {
          const lost = new SwitchError(
            'closed',
            `the connection to the switch was lost during ${method} ${path} (${code || err.message})`,
          );
          fail(req.reusedSocket && code === 'ECONNRESET' ? new StaleSocketError(lost) : lost);
        }
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** Drops every connection; requests still in flight reject with `closed`. */
  destroy(): void {
    this.destroyed = true;
    this.agent.destroy();
  }
}
