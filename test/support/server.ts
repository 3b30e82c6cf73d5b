// API servers for tests: in-process (fast, with access to the store) or as a real `hil-admin serve` child process
// (for kubectl, crash and multi-replica tests). Both listen on a free loopback port and clean up after themselves.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/logging.js';
import { packageRoot } from '../../common/paths.js';
import { Registry } from '../../apiserver/registry.js';
import { ApiServer, type ApiServerOptions } from '../../apiserver/server.js';
import { createAuthenticator } from '../../apiserver/auth/index.js';
import type { Authenticator } from '../../apiserver/auth/authenticator.js';
import { openStore } from '../../apiserver/store/open.js';
import type { SqlStore } from '../../apiserver/store/sql-store.js';

// Passwords are hashed with scrypt at N=2^14 in tests (the servers' default, 2^17, costs ~0.3 s and 128 MiB a
// hash); child processes inherit it. Tests of the default parameters unset it for themselves.
process.env.HIL_TEST_SCRYPT_N ??= '16384';

export interface InProcessServer {
  url: string;
  server: ApiServer;
  store: SqlStore;
  stop(): Promise<void>;
}

/** An API server in this process, on SQLite in a temp folder unless a database URI is given. */
export async function startInProcessServer(
  options: { databaseUri?: string; auth?: 'null' | 'database'; authenticatorOverride?: Authenticator } & Partial<
    Omit<ApiServerOptions, 'store' | 'registry' | 'logger' | 'authenticator'>
  > = {},
): Promise<InProcessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-api-'));
  const store = await openStore({ uri: options.databaseUri, dataDir: dir });
  await store.migrate();
  const registry = Registry.fromCrdDir(join(packageRoot(), 'crds'));
  const logger = createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'apiserver');
  const authenticator = options.authenticatorOverride ?? createAuthenticator(options.auth ?? 'null', store, undefined);
  const server = new ApiServer({ ...options, store, registry, logger, authenticator });
  const addr = await server.start({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${addr.port}`,
    server,
    store,
    async stop() {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** tsx's loader as a file URL: `--import tsx` would resolve against the child's cwd, which may be anywhere. */
export const TSX_LOADER = import.meta.resolve('tsx');

export interface ChildServer {
  url: string;
  port: number;
  process: ChildProcess;
  dataDir: string;
  /** stderr+stdout so far (JSON log lines). */
  output(): string;
  /** SIGTERM and wait (or SIGKILL with kill('SIGKILL')). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `hil-admin serve` from source (tsx) as a child process and waits until /readyz answers. */
export async function startChildServer(
  args: {
    dataDir?: string;
    databaseUri?: string;
    port?: number;
    extraArgs?: string[];
    env?: NodeJS.ProcessEnv;
    /** Leave --data-dir off the command line (so hil.cfg's data_dir counts); dataDir is still the cwd. */
    omitDataDirFlag?: boolean;
    /** The server serves HTTPS with a certificate signed by this CA (PEM); api() trusts it for this URL. */
    tlsCa?: string;
  } = {},
): Promise<ChildServer> {
  const ownDir = args.dataDir === undefined;
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), 'hil-serve-'));
  const port = args.port ?? (await freePort());
  const argv = [
    '--import',
    TSX_LOADER,
    join(packageRoot(), 'cmd', 'hil-admin.ts'),
    'serve',
    '--listen',
    `127.0.0.1:${port}`,
    ...(args.omitDataDirFlag ? [] : ['--data-dir', dataDir]),
    ...(args.databaseUri ? ['--database-uri', args.databaseUri] : []),
    ...(args.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, argv, {
    cwd: dataDir,
    env: { ...process.env, ...args.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `${args.tlsCa ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (args.tlsCa) trustedCas.set(url, args.tlsCa);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hil-admin serve exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await api(url, 'GET', '/readyz');
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hil-admin serve did not become ready in 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    process: child,
    dataDir,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      // npm test collects every server's log and checks, after the whole suite, that no secret was logged.
      if (process.env.HIL_TEST_LOG_DIR)
        writeFileSync(join(process.env.HIL_TEST_LOG_DIR, `serve-${port}-${child.pid}.log`), out);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A small JSON client for tests: returns status, parsed body and headers. */
export async function api(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const ca = trustedCas.get(url);
  if (ca) return httpsCall(url, ca, method, path, body, contentType, headers);
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] = contentType;
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as any) : JSON.stringify(body);
  }
  const r = await fetch(`${url}${path}`, init);
  const text = await r.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: parsed, headers: r.headers };
}

/** CAs to trust per server URL (global fetch cannot take a CA on Node 20). */
const trustedCas = new Map<string, string>();

async function httpsCall(
  url: string,
  ca: string,
  method: string,
  path: string,
  body: unknown,
  contentType: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any; headers: Headers }> {
  const https = await import('node:https');
  const data =
    body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${url}${path}`,
      { method, ca, headers: { ...headers, ...(data !== undefined ? { 'content-type': contentType } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: h });
        });
      },
    );
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** A CA and a server certificate for 127.0.0.1, made with openssl (undefined when openssl is missing). */
export function makeTestCertificates(
  dir: string,
): { ca: string; caFile: string; certFile: string; keyFile: string } | undefined {
  const ossl = (args: string[]) => spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (ossl(['version']).status !== 0) return undefined;
  const steps = [
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=hil-test-ca',
    ],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
  ];
  for (const s of steps) {
    const r = ossl(s);
    if (r.status !== 0) throw new Error(`openssl ${s[0]}: ${r.stderr}`);
  }
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const sign = ossl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  ]);
  if (sign.status !== 0) throw new Error(`openssl x509: ${sign.stderr}`);
  return {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
}

/**
 * Requests as one of several test users: `as(caller, …)` answers whatever the server says, `must(caller, …)` fails
 * the test unless it succeeds. `url` is read at call time (servers start in before()).
 */
export function callers<C extends string>(url: () => string, credentials: (caller: C) => Record<string, string>) {
  const as = (c: C, method: string, path: string, body?: unknown, ct?: string) =>
    api(url(), method, path, body, ct, credentials(c));
  const must = async (c: C, method: string, path: string, body?: unknown, ct?: string) => {
    const r = await as(c, method, path, body, ct);
    assert.ok(r.status < 300, `${method} ${path} as ${c}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  return { as, must };
}
