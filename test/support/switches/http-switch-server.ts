// The HTTP side of the REST switch emulators: an HTTP or HTTPS server on 127.0.0.1 (HTTPS with a self-signed
// certificate made by openssl at start), HTTP Basic auth, and the knobs: latency per request, a connection dropped
// instead of answering the Nth write, requests that are never answered. What a request does is the vendor's: a
// `RestHandler` (brocade-rest-emulator.ts, dellnos9-rest-emulator.ts).
import { execFileSync } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RestRequestInfo {
  readonly method: string;
  /** The path as sent (still percent-encoded), without the query. */
  readonly path: string;
  /** The query string without `?` ('' when none). */
  readonly query: string;
  readonly body: string;
}

export interface RestResponse {
  readonly status: number;
  readonly body?: string;
}

export interface RestHandler {
  handle(req: RestRequestInfo): RestResponse;
  /** Requests that change configuration (what the drop knob counts). */
  isWrite(req: RestRequestInfo): boolean;
  /** The vendor's body for a 401. */
  readonly unauthorized: string;
  /** The vendor's refusal of a request (the `refuse` knob): its error status and body. */
  refusal(req: RestRequestInfo): RestResponse;
}

export interface HttpKnobs {
  username: string;
  password: string;
  /** Serve HTTPS with a certificate made at start (for 127.0.0.1 and localhost), else HTTP. */
  tls: boolean;
  requestLatencyMs: number;
  /** Idle kept-alive connections are closed by the server after this long (switch web servers: a few seconds). */
  keepAliveTimeoutMs: number;
  /** Drop the connection instead of answering the Nth write request (once; 1-based, counted from now). */
  dropAtWrite?: number;
  /** Never answer requests whose `METHOD path body` matches. */
  hangOn?: RegExp;
  /** Refuse requests whose `METHOD path body` matches, with the vendor's error body. */
  refuse?: RegExp;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A self-signed certificate (its own CA) for 127.0.0.1 and localhost, made with openssl. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hil-rest-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=switch-emulator',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class HttpSwitchServer {
  readonly knobs: HttpKnobs;
  /** `http(s)://127.0.0.1:PORT` once listening. */
  address = '';
  /** The certificate (PEM) when serving HTTPS: the CA bundle a client must trust. */
  readonly certificate: string | undefined;
  authFailures = 0;
  /** Every authenticated request, `METHOD path`, in arrival order (tests count and inspect them). */
  readonly log: string[] = [];
  private writes = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly handler: RestHandler,
    knobs: Partial<HttpKnobs>,
  ) {
    this.knobs = {
      username: 'admin',
      password: 'secret',
      tls: false,
      requestLatencyMs: 0,
      keepAliveTimeoutMs: 30_000,
      ...knobs,
    };
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void this.serve(req, res);
    if (this.knobs.tls) {
      const { cert, key } = selfSignedCertificate();
      this.certificate = cert;
      this.server = https.createServer({ cert, key }, listener);
    } else this.server = http.createServer(listener);
    this.server.keepAliveTimeout = this.knobs.keepAliveTimeoutMs;
    const track = (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server.on(this.knobs.tls ? 'secureConnection' : 'connection', track);
    if (this.knobs.tls) this.server.on('connection', track);
  }

  static async start(handler: RestHandler, knobs: Partial<HttpKnobs> = {}): Promise<HttpSwitchServer> {
    const s = new HttpSwitchServer(handler, knobs);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const { port } = s.server.address() as AddressInfo;
    s.address = `${s.knobs.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return s;
  }

  /** Arms the drop knob: the Nth write from now is answered by closing the connection. */
  dropAtWrite(n: number | undefined): void {
    this.writes = 0;
    this.knobs.dropAtWrite = n;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const info: RestRequestInfo = {
      method: req.method ?? 'GET',
      path: q < 0 ? raw : raw.slice(0, q),
      query: q < 0 ? '' : raw.slice(q + 1),
      body,
    };
    await sleep(this.knobs.requestLatencyMs);
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, ...rest] = auth ? Buffer.from(auth[1], 'base64').toString('utf8').split(':') : [];
    if (!auth || !same(user ?? '', this.knobs.username) || !same(rest.join(':'), this.knobs.password)) {
      this.authFailures++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="switch"', 'Content-Type': 'application/xml' });
      res.end(this.handler.unauthorized);
      return;
    }
    this.log.push(`${info.method} ${info.path}${info.query ? `?${info.query}` : ''}`);
    if (this.knobs.hangOn?.test(`${info.method} ${info.path} ${info.body}`)) return; // never answered
    if (this.handler.isWrite(info) && this.knobs.dropAtWrite !== undefined) {
      if (++this.writes === this.knobs.dropAtWrite) {
        this.knobs.dropAtWrite = undefined;
        req.socket.destroy();
        return;
      }
    }
    const out = this.knobs.refuse?.test(`${info.method} ${info.path} ${info.body}`)
      ? this.handler.refusal(info)
      : this.handler.handle(info);
    res.writeHead(out.status, out.body ? { 'Content-Type': 'application/xml' } : {});
    res.end(out.body ?? '');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
