// The API server: express routing for discovery, OpenAPI, health, metrics and every kind's REST paths, on top of
// the store and the watch hub. `hil-admin serve` builds one from configuration; tests build one in-process.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response as ExpressResponse } from 'express';
import client from 'prom-client';
import type { Logger } from '../common/logging.js';
import { ApiError, errors } from './errors.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiDocument,
  openApiIndex,
} from './handlers/discovery.js';
import { ResourceHandlers, type AdmissionPlugin, type RequestInfo, type Response } from './handlers/resources.js';
import { UserCredentials, userSubresources } from './handlers/users.js';
import { consoleSubresource, type ConsoleBackend } from './handlers/console.js';
import { subresourceNames, type Subresource } from './handlers/subresource.js';
import type { Authenticator } from './auth/authenticator.js';
import { Authorizer, type Verb } from './auth/authz.js';
import { ANONYMOUS, NULL_AUTH_ADMIN, type UserInfo } from './auth/user.js';
import { invariants } from './admission/invariants.js';
import { headnodeAdmission } from './admission/headnodes.js';
import { ownership } from './admission/ownership.js';
import { defaultFinalizers } from './admission/finalizers.js';
import type { VlanSet } from '../api/v1alpha1/vlans.js';
import type { CredentialStore } from './store/store.js';
import { serveWatch } from './handlers/watch.js';
import { storeKey, type Registry, type ResourceType } from './registry.js';
import type { Store } from './store/store.js';
import { Validator } from './validation.js';
import { decodeObjectBody } from './codec/body.js';
import { WatchHub } from './watch-hub.js';
import { DEFAULT_LIMITS, WatchQuota, type ServerLimits } from './limits.js';
import { queryBool } from './codec/query.js';
import { v0Router } from './v0/router.js';
import { uiRouter } from './handlers/ui.js';

export interface ApiServerOptions {
  store: Store & CredentialStore;
  registry: Registry;
  logger: Logger;
  authenticator: Authenticator;
  /** HIL's [auth] require_authentication: when false, callers without credentials are anonymous members of no project. */
  requireAuthentication?: boolean;
  /** The VLAN pool from hil.cfg, for admission checks of explicit VLANs. */
  vlanPool?: VlanSet;
  /** hil.cfg [headnode] base_imgs: the base images headnodes may use (empty or absent: any). */
  headnodeBaseImages?: readonly string[];
  /** More admission plugins, run after authorization, ownership and the invariants. */
  admission?: AdmissionPlugin[];
  /** Largest request body accepted (413 above). Default 3 MiB, as Kubernetes. Same as limits.maxBodyBytes. */
  maxBodyBytes?: number;
  /** Watches, buffers, bodies and timeouts per client and in total (apiserver/limits.ts has the defaults). */
  limits?: Partial<ServerLimits>;
  /** Watches end after a random time in [t, 2t). Default 5 minutes. */
  watchTimeoutMs?: number;
  /** How often an open watch re-checks its caller's credential and rights (default 30 s). */
  watchRevalidateMs?: number;
  bookmarkIntervalMs?: number;
  /** Change history is kept at least this long (watch resume window). Default 15 minutes. */
  historyRetentionMs?: number;
  /** …and always the newest this many changes. Default 10,000. */
  historyKeep?: number;
  compactionIntervalMs?: number;
  tls?: { certFile: string; keyFile: string };
  version?: string;
  /** Serves nodes/NAME/console (the SOL console hub, wired in by cmd/hil-admin.ts); without it the console is 503. */
  console?: ConsoleBackend;
  /** The web console's built static files (dist/ui), served under /ui/; without it /ui/ says how to build them. */
  uiDir?: string;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function json(res: ExpressResponse, code: number, body: unknown): void {
  sendJson(res, code, JSON.stringify(body));
}

/** The JSON text straight to the socket (express's send would first copy it into a Buffer). */
function sendJson(res: ExpressResponse, code: number, text: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+hil',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '',
  goVersion: '',
  compiler: 'node',
  platform: `${process.platform}/${process.arch}`,
};

/** Where a request path points: /api/v1/…, /apis/G/V/…, with or without namespaces/NS. */
export interface ResourcePath {
  type: ResourceType;
  namespace: string;
  name?: string;
  subresource?: string;
}

/** `extra`: subresources beyond status, per store key (users/NAME/password, nodes/NAME/console, …). */
export function parseResourcePath(
  registry: Registry,
  path: string,
  extra: ReadonlyMap<string, string[]> = new Map(),
): ResourcePath | undefined {
  let seg: string[];
  try {
    seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw errors.badRequest(`the request path is not valid: malformed percent-encoding in ${JSON.stringify(path)}`);
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg.length >= 3) {
    group = '';
    version = seg[1]!;
    rest = seg.slice(2);
  } else if (seg[0] === 'apis' && seg.length >= 4) {
    group = seg[1]!;
    version = seg[2]!;
    rest = seg.slice(3);
  } else return undefined;
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = registry.lookup(group, version, rest[2]);
    if (inner?.namespaced) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    }
  }
  if (rest.length < 1 || rest.length > 3) return undefined;
  const type = registry.lookup(group, version, rest[0]);
  if (!type) return undefined;
  if (type.namespaced === false && namespace) return undefined;
  const [, name, subresource] = rest;
  if (subresource !== undefined) {
    const more = extra.get(`${type.group || 'core'}/${type.plural}`) ?? [];
    if (!((subresource === 'status' && type.statusSubresource) || more.includes(subresource))) return undefined;
  }
  return { type, namespace, name, subresource };
}

/**
 * The resource handlers with the server's admission chain (authorization, ownership, finalizers, invariants,
 * headnodes). Also used by writers that run without a listener (hil-admin import-hil), so their writes get exactly
 * the checks an API request gets.
 */
export function resourceHandlers(
  opts: Pick<ApiServerOptions, 'store' | 'vlanPool' | 'headnodeBaseImages' | 'admission'>,
  authz = new Authorizer(),
): ResourceHandlers {
  return new ResourceHandlers({
    store: opts.store,
    validator: new Validator(),
    admission: [
      authz.admission,
      ownership,
      defaultFinalizers,
      invariants({ vlanPool: opts.vlanPool }),
      headnodeAdmission({ baseImages: opts.headnodeBaseImages }),
      ...(opts.admission ?? []),
    ],
  });
}

export class ApiServer {
  readonly app: express.Express;
  readonly hub: WatchHub;
  readonly metrics = new client.Registry();
  private server?: http.Server | https.Server;
  private compaction?: NodeJS.Timeout;
  private readonly handlers: ResourceHandlers;
  private readonly authz = new Authorizer();
  private readonly subresources: Subresource[];
  private readonly credentials: UserCredentials;
  private readonly subresourceNames: Map<string, string[]>;
  private readonly requests: client.Counter<string>;
  private readonly durations: client.Histogram<string>;
  private readonly watchers: client.Gauge<string>;
  private readonly limits: ServerLimits;
  private readonly watchQuota: WatchQuota;

  constructor(private readonly opts: ApiServerOptions) {
    this.limits = {
      ...DEFAULT_LIMITS,
      ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}),
      ...definedOnly(opts.limits ?? {}),
    };
    this.watchQuota = new WatchQuota(this.limits);
    this.hub = new WatchHub(opts.store);
    this.handlers = resourceHandlers(opts, this.authz);
    this.credentials = new UserCredentials(opts.store, opts.authenticator.name);
    this.subresources = [userSubresources(this.credentials), consoleSubresource(opts.store, opts.console)];
    this.subresourceNames = subresourceNames(this.subresources);
    client.collectDefaultMetrics({ register: this.metrics });
    this.requests = new client.Counter({
      name: 'apiserver_request_total',
      help: 'API requests by verb, resource and HTTP code',
      labelNames: ['verb', 'resource', 'code'],
      registers: [this.metrics],
    });
    this.durations = new client.Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'API request latency (watches excluded)',
      labelNames: ['verb', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.metrics],
    });
    this.watchers = new client.Gauge({
      name: 'apiserver_watchers',
      help: 'Open watch streams',
      registers: [this.metrics],
    });
    const hub = this.hub;
    new client.Gauge({
      name: 'hil_store_revision',
      help: 'The newest store revision handed to watchers',
      registers: [this.metrics],
      collect() {
        this.set(hub.revision);
      },
    });
    this.app = this.buildApp();
  }

  private buildApp(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    const log = this.opts.logger;
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const verb = (res.locals.verb as string | undefined) ?? req.method.toLowerCase();
        const resource = (res.locals.resource as string | undefined) ?? '';
        this.requests.inc({ verb, resource, code: String(res.statusCode) });
        if (verb !== 'watch') this.durations.observe({ verb, resource }, ms / 1000);
        // One line per request at debug (a busy server, and the controllers' lease renewals, would flood info);
        // refusals of the server's own making (5xx) stay visible. Below debug nothing is built for the line.
        const error = res.statusCode >= 500;
        if (!error && !log.isDebugEnabled()) return;
        (error ? log.warn.bind(log) : log.debug.bind(log))('request', {
          verb,
          resource,
          namespace: res.locals.namespace || undefined,
          name: res.locals.name,
          user: res.locals.user,
          code: res.statusCode,
          durationMs: Math.round(ms * 10) / 10,
        });
      });
      next();
    });

    app.get(['/healthz', '/livez'], (_req, res) => res.type('text/plain').send('ok'));
    app.get('/readyz', async (_req, res) => {
      try {
        await this.opts.store.currentRevision();
        res.type('text/plain').send('ok');
      } catch (err) {
        res
          .status(503)
          .type('text/plain')
          .send(`store unavailable: ${(err as Error).message}`);
      }
    });
    app.get('/version', (_req, res) =>
      json(res, 200, { ...SERVER_VERSION, gitVersion: `v1.32.0+hil-${this.opts.version ?? 'dev'}` }),
    );
    // The web console: static files, public like a login page (every byte of data it shows needs the caller's token).
    app.get('/', (_req, res) => res.redirect(302, '/ui/'));
    app.use('/ui', uiRouter(this.opts.uiDir, this.opts.authenticator.name));
    // HIL's v0 REST API: its own routing, argument checks and errors, the same authenticator and objects.
    app.use(
      '/v0',
      v0Router({
        deps: {
          store: this.opts.store,
          registry: this.opts.registry,
          handlers: this.handlers,
          credentials: this.credentials,
          authBackend: this.opts.authenticator.name,
          headnodeBaseImages: this.opts.headnodeBaseImages,
          console: this.opts.console,
        },
        authenticator: this.opts.authenticator,
        requireAuthentication: this.opts.requireAuthentication !== false,
        maxBodyBytes: this.limits.anonymousMaxBodyBytes,
        logger: log,
      }),
    );
    // Everything below needs an authenticated caller (HIL's require_authentication, default on).
    app.use((req, res, next) => {
      this.authenticate(req)
        .then((user) => {
          res.locals.userInfo = user;
          res.locals.user = user.name;
          next();
        })
        .catch(next);
    });
    // Bodies are read only now, once the caller is known (an unauthenticated upload is never buffered), raw, and
    // decoded per content type by the handlers (apiserver/codec/).
    const bodyOf = express.raw({ type: () => true, limit: this.limits.maxBodyBytes });
    const anonymousBodyOf = express.raw({ type: () => true, limit: this.limits.anonymousMaxBodyBytes });
    app.use((req, res, next) =>
      ((res.locals.userInfo as UserInfo).anonymous ? anonymousBodyOf : bodyOf)(req, res, next),
    );
    app.get('/metrics', async (_req, res) => {
      if (!(res.locals.userInfo as UserInfo).admin) throw errors.forbidden('metrics are administrator-only');
      res.type(this.metrics.contentType).send(await this.metrics.metrics());
    });
    const reg = this.opts.registry;
    app.get('/api', (_req, res) => json(res, 200, apiVersions()));
    app.get('/apis', (_req, res) => json(res, 200, apiGroupList(reg)));
    app.get('/api/:version', (req, res, next) => {
      const body = apiResourceList(reg, '', req.params.version);
      if (body) json(res, 200, body);
      else next();
    });
    app.get('/apis/:group', (req, res, next) => {
      const body = apiGroup(reg, req.params.group);
      if (body) json(res, 200, body);
      else next();
    });
    app.get('/apis/:group/:version', (req, res, next) => {
      const body = apiResourceList(reg, req.params.group, req.params.version);
      if (body) json(res, 200, body);
      else next();
    });
    app.get('/openapi/v3', (_req, res) => json(res, 200, openApiIndex(reg)));
    app.get('/openapi/v3/api/:version', (req, res, next) => {
      const doc = openApiDocument(reg, '', req.params.version);
      if (doc) json(res, 200, doc);
      else next();
    });
    app.get('/openapi/v3/apis/:group/:version', (req, res, next) => {
      const doc = openApiDocument(reg, req.params.group, req.params.version);
      if (doc) json(res, 200, doc);
      else next();
    });
    app.use((req, res, next) => {
      this.serveResource(req, res).catch(next);
    });
    // Errors: every one becomes a Status; only a genuine bug is a 500, and its details go to the log only.
    app.use((err: any, req: Request, res: ExpressResponse, _next: NextFunction) => {
      let e: ApiError;
      if (err instanceof ApiError) e = err;
      else if (err?.type === 'entity.too.large')
        e = errors.tooLarge(`the request body is larger than the limit of ${err.limit} bytes`);
      // body-parser's own refusals carry a type; a body that fails to inflate (Content-Encoding: gzip that is not
      // gzip) only an exposed 4xx status.
      else if ((err?.type || err?.expose) && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        e =
          err.status === 415
            ? errors.unsupportedMediaType(`could not read the request body: ${err.message}`)
            : errors.badRequest(`could not read the request body: ${err.message}`);
      } else {
        log.error('internal error', { path: req.path, method: req.method, error: String(err?.stack ?? err) });
        e = errors.internal('an internal error occurred; see the server log');
      }
      if (res.headersSent) {
        res.end();
        return;
      }
      // A request refused before its body was read: close rather than read an upload nobody will look at.
      if ((e.code === 401 || e.code === 413 || e.code === 429) && !req.readableEnded)
        res.setHeader('Connection', 'close');
      if (e.details?.retryAfterSeconds) res.setHeader('Retry-After', String(e.details.retryAfterSeconds));
      json(res, e.code, e.toStatus());
    });
    return app;
  }

  /**
   * For a long-lived answer (a watch): whether the caller's credential still holds and their rights are what they
   * were when it began. Backends without refresh() (keystone caches tokens for 60 s; null) are not re-checked.
   */
  private stillValid(user: UserInfo): (() => Promise<boolean>) | undefined {
    const auth = this.opts.authenticator;
    if (!auth.refresh || user.anonymous) return undefined;
    const refresh = auth.refresh.bind(auth);
    const rights = (u: UserInfo) => JSON.stringify([u.admin, [...u.projects].sort()]);
    const initial = rights(user);
    let current = user;
    return async () => {
      const next = await refresh(current);
      if (!next || rights(next) !== initial) return false;
      current = next;
      return true;
    };
  }

  private async authenticate(req: Request): Promise<UserInfo> {
    const user = await this.opts.authenticator.authenticate(req.headers, { remoteAddress: req.socket.remoteAddress });
    if (user) return user;
    if (this.opts.requireAuthentication === false) return ANONYMOUS;
    throw errors.unauthorized('Unauthorized: authentication is required (HTTP Basic or a bearer token)');
  }

  private async serveResource(req: Request, res: ExpressResponse): Promise<void> {
    const path = parseResourcePath(this.opts.registry, req.path, this.subresourceNames);
    if (!path) throw errors.pathNotFound(req.path);
    const { type: t } = path;
    const query: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.query))
      query[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
    const user = res.locals.userInfo as UserInfo;
    const info: RequestInfo = {
      type: t,
      namespace: path.namespace,
      name: path.name,
      subresource: path.subresource,
      user,
      query,
      contentType: req.headers['content-type'] ?? 'application/json',
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
    };
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    const isWatch = queryBool(query, 'watch');
    const method = req.method;
    let verb: string;
    if (method === 'GET') verb = isWatch ? 'watch' : path.name ? 'get' : 'list';
    else if (method === 'POST') verb = 'create';
    else if (method === 'PUT') verb = 'update';
    else if (method === 'PATCH') verb = 'patch';
    else if (method === 'DELETE') verb = path.name ? 'delete' : 'deletecollection';
    else throw errors.methodNotAllowed(`${method} is not supported`);
    res.locals.verb = verb;
    res.locals.resource = path.subresource ? `${t.plural}/${path.subresource}` : t.plural;
    res.locals.namespace = path.namespace;
    res.locals.name = path.name;

    const decode = () => decodeObjectBody(raw, info.contentType, !!t.strategicMerge);
    const sub = path.subresource
      ? this.subresources.find((x) => x.resource === storeKey(t) && x.names.includes(path.subresource!))
      : undefined;
    if (sub) {
      const r = {
        type: t,
        name: path.name!,
        subresource: path.subresource!,
        method,
        isWatch,
        user,
        query,
        raw,
        decode,
        req,
        res,
      };
      res.locals.verb = sub.verb(r);
      const answer = await sub.serve(r);
      if (answer) json(res, answer.code, answer.body);
      return;
    }
    this.authz.checkRequest(user, verb as Verb, t, path.name, path.subresource);
    // Admins see everything: no per-object check (so a full list can be served as stored, without parsing).
    const visible = user.admin ? undefined : (o: import('./object.js').KObject) => this.authz.visible(user, t, o);
    let out: Response;
    if (method === 'GET' && isWatch) {
      // A watch on the collection, or (older clients) on one object's path.
      const slot = this.watchQuota.acquire(user.name, user.admin);
      if ('refused' in slot) throw errors.tooManyRequests(`too many watches: ${slot.refused}`, 1);
      res.on('close', slot.release);
      try {
        await serveWatch(
          info,
          res,
          {
            store: this.opts.store,
            hub: this.hub,
            defaultTimeoutMs: this.opts.watchTimeoutMs ?? 5 * 60_000,
            bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 60_000,
            maxBufferedBytes: this.limits.watchBufferBytes,
            slowWatchMs: this.limits.slowWatchMs,
            onOpen: () => this.watchers.inc(),
            onClose: () => this.watchers.dec(),
            stillValid: this.stillValid(user),
            revalidateMs: this.opts.watchRevalidateMs,
          },
          visible,
        );
      } catch (err) {
        slot.release();
        throw err;
      }
      return;
    }
    switch (verb) {
      case 'get':
        out = await this.handlers.get(info, visible);
        break;
      case 'list':
        out = await this.handlers.list(info, visible);
        break;
      case 'create':
        if (path.name)
          throw errors.methodNotAllowed(`POST is not supported on a named ${t.singular}; use PUT or PATCH`);
        out = await this.handlers.create(info, decode());
        break;
      case 'update':
        if (!path.name) throw errors.methodNotAllowed('PUT needs an object name');
        out = await this.handlers.update(info, decode());
        break;
      case 'patch':
        if (!path.name) throw errors.methodNotAllowed('PATCH needs an object name');
        out = await this.handlers.patch(info, raw);
        break;
      case 'delete':
        out = await this.handlers.delete(info, raw && raw.length ? decode() : undefined);
        break;
      default:
        out = await this.handlers.deleteCollection(info, visible);
    }
    if (out.warnings?.length) {
      res.setHeader(
        'Warning',
        out.warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
    }
    // out.body is not touched when there is text: a list's body is built (parsing every item) only on demand.
    if (out.text !== undefined) sendJson(res, out.code, out.text);
    else json(res, out.code, out.body);
  }

  /** Creates the namespaces every installation has (default, hil-system) if they are missing. */
  private async ensureNamespaces(): Promise<void> {
    const ns = this.opts.registry.lookup('', 'v1', 'namespaces');
    if (!ns) return;
    for (const name of ['default', 'hil-system']) {
      try {
        await this.handlers.create(
          {
            type: ns,
            namespace: '',
            user: NULL_AUTH_ADMIN,
            query: {},
            contentType: 'application/json',
            accept: undefined,
            userAgent: 'hil-apiserver',
          },
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } },
        );
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
  }

  async start(listen: { host: string; port: number }): Promise<AddressInfo> {
    await this.hub.start();
    await this.ensureNamespaces();
    const retention = this.opts.historyRetentionMs ?? 15 * 60_000;
    const keep = this.opts.historyKeep ?? 10_000;
    this.compaction = setInterval(() => {
      this.opts.store
        .compactOlderThan(retention, keep)
        .catch((err) => this.opts.logger.warn('compaction failed', { error: String(err) }));
    }, this.opts.compactionIntervalMs ?? 60_000);
    this.compaction.unref();
    const tls = this.opts.tls;
    const checking = { connectionsCheckingInterval: Math.min(5_000, this.limits.headersTimeoutMs) };
    this.server = tls
      ? https.createServer({ ...checking, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, this.app)
      : http.createServer(checking, this.app);
    // requestTimeout bounds receiving a request, not answering it: watches and consoles stream on. Node checks
    // both timeouts every connectionsCheckingInterval, so a slowloris client is cut within a few seconds of them.
    this.server.requestTimeout = this.limits.requestTimeoutMs;
    this.server.headersTimeout = this.limits.headersTimeoutMs;
    // A request node's HTTP parser refuses (headers or URL over 16 KiB, a malformed request line, a timeout) never
    // reaches express: answer it with a Status too, as node would have answered with an empty body.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
      // (As node does: never after an answer to this request has begun.)
      if (
        !socket.writable ||
        err.code === 'ECONNRESET' ||
        (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
      ) {
        socket.destroy();
        return;
      }
      const e =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? new ApiError(431, 'BadRequest', 'the request headers (or its URL) are larger than the server accepts')
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? new ApiError(408, 'Timeout', 'the request was not received in time')
            : errors.badRequest('the request could not be parsed as HTTP');
      // An answer to HEAD has no body (node's llhttp knows the method even when it refuses the rest).
      const head = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
      const body = head ? '' : JSON.stringify(e.toStatus());
      socket.write(
        `HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${head ? 0 : Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      socket.destroy(); // as node does: the connection cannot be read any further
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(listen.port, listen.host, () => resolve());
    });
    return this.server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    if (this.compaction) clearInterval(this.compaction);
    this.hub.stop();
    const srv = this.server;
    if (srv) {
      await new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      });
    }
  }
}
