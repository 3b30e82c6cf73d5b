// hilctl's connection handling, compiled and run as users run it: kubeconfig files and contexts, HIL's
// environment variables and the flags that override both; credentials (Basic, bearer tokens) and `hilctl login`
// against a stand-in for the auth endpoints the server is getting (a small proxy in front of the real server
// that enforces credentials and answers POST users/NAME/token); TLS with a CA file, kubeconfig CA data and
// --insecure-skip-tls-verify; and errors a person can act on (unreachable, 401, 403, 409).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { startServe, type ServeChild } from '../support/kubectl.js';
import { api, freePort, TSX_LOADER } from '../support/server.js';
import { buildHilctl, Hilctl, isolatedEnv, show, type HilctlBuild, type HilctlResult } from './hilctl-support.js';

const EXAMPLES = join(packageRoot(), 'manifests', 'examples');
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

function ok(r: HilctlResult): HilctlResult {
  assert.equal(r.code, 0, `hilctl failed:\n${show(r)}`);
  return r;
}

function refused(r: HilctlResult, re: RegExp): void {
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace:\n${r.stderr}`);
}

interface Seen {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

/**
 * A stand-in for the server's auth: users alice/secret (Basic) and the tokens it issued or `static-token`
 * (Bearer); POST …/users/NAME/token issues a token; PUT …/users/NAME/password is recorded; alice may not
 * delete Switches (403 naming the rule). Everything else is proxied to the real server.
 */
async function startAuthProxy(upstream: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const tokens = new Set(['static-token']);
  let issued = 0;
  const status = (res: http.ServerResponse, code: number, reason: string, message: string) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code }),
    );
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const authz = req.headers.authorization;
      const path = (req.url ?? '/').split('?')[0];
      seen.push({ method: req.method!, path, authorization: authz, body });
      const basicOk = authz === `Basic ${Buffer.from('alice:secret').toString('base64')}`;
      const bearerOk = !!authz?.startsWith('Bearer ') && tokens.has(authz.slice(7));
      const token = path.match(/^\/apis\/hil\.io\/v1alpha1\/users\/([^/]+)\/token$/);
      if (token && req.method === 'POST') {
        if (!basicOk || token[1] !== 'alice') return status(res, 401, 'Unauthorized', 'Unauthorized');
        const t = `tok-${++issued}`;
        tokens.add(t);
        const seconds = JSON.parse(body || '{}')?.spec?.expirationSeconds ?? 3600;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenRequest',
            status: { token: t, expirationTimestamp: new Date(Date.now() + seconds * 1000).toISOString() },
          }),
        );
        return;
      }
      if (!basicOk && !bearerOk) return status(res, 401, 'Unauthorized', 'Unauthorized');
      if (/\/users\/[^/]+\/password$/.test(path) && req.method === 'PUT') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 }));
        return;
      }
      if (req.method === 'DELETE' && /\/switches\//.test(path)) {
        return status(
          res,
          403,
          'Forbidden',
          `switches.hil.io "${path.split('/').pop()}" is forbidden: User "alice" cannot delete switches: rule "switches are admin-only"`,
        );
      }
      const headers = { ...req.headers };
      delete headers.authorization;
      delete headers.host;
      const up = http.request(`${upstream}${req.url}`, { method: req.method, headers }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => status(res, 502, 'InternalError', 'upstream down'));
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** `hil-admin serve` over HTTPS with a fresh self-signed certificate for 127.0.0.1. */
async function startTlsServer(
  dir: string,
): Promise<{ url: string; ca: string; child: ChildProcess; stop(): Promise<void> }> {
  const key = join(dir, 'key.pem');
  const ca = join(dir, 'ca.pem');
  const gen = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      ca,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(gen.status, 0, gen.stderr);
  const port = await freePort();
  const data = join(dir, 'data');
  mkdirSync(data);
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      join(packageRoot(), 'cmd', 'hil-admin.ts'),
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      data,
      '--log-level',
      'warn',
      '--tls-cert',
      ca,
      '--tls-key',
      key,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hil-admin serve (TLS) exited:\n${out}`);
    const ready = await new Promise<boolean>((resolve) => {
      const req = https.get(`${url}/readyz`, { ca: readFileSync(ca) }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
    });
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hil-admin serve (TLS) did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    ca,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('hilctl: connections, credentials, login, TLS and errors', () => {
  let build: HilctlBuild;
  let srv: ServeChild;
  let proxy: Awaited<ReturnType<typeof startAuthProxy>>;
  let tls: Awaited<ReturnType<typeof startTlsServer>> | undefined;
  let work: string;
  let h: Hilctl;
  const DEAD = 'http://127.0.0.1:1';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'hilctl-conn-'));
    mkdirSync(join(work, 'home'));
    mkdirSync(join(work, 'tls'));
    [build, srv, tls] = await Promise.all([
      buildHilctl(),
      startServe(),
      HAS_OPENSSL ? startTlsServer(join(work, 'tls')) : Promise.resolve(undefined),
    ]);
    proxy = await startAuthProxy(srv.url);
    h = new Hilctl(build.bin, isolatedEnv(join(work, 'home')));
    // A little content to list.
    ok(await h.run(['apply', '-f', EXAMPLES], { env: { HIL_ENDPOINT: srv.url } }));
  });

  after(async () => {
    await h?.cleanup();
    await proxy?.close();
    await tls?.stop();
    await srv?.close();
    build?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  test('an unreachable server: a message that says where and what to check, a stack trace only with -v', async () => {
    const r = await h.run(['get', 'hn'], { env: { HIL_ENDPOINT: DEAD } });
    refused(r, /^The connection to the server 127\.0\.0\.1:1 was refused - did you specify the right host or port\?$/m);
    assert.match(r.stderr, /HIL_ENDPOINT, --server or a kubeconfig context/);
    const v = await h.run(['get', 'hn', '-v'], { env: { HIL_ENDPOINT: DEAD } });
    assert.match(v.stderr, /ECONNREFUSED/);
    assert.match(v.stderr, /^\s+at /m);
    const badUrl = await h.run(['get', 'hn', '--server', 'ftp://x']);
    refused(badUrl, /must start with http:\/\/ or https:\/\//);
  });

  test('kubeconfig: current context, --context, merged KUBECONFIG files, --kubeconfig; HIL_ENDPOINT and --server override', async () => {
    const a = join(work, 'a.yaml');
    const b = join(work, 'b.yaml');
    writeFileSync(
      a,
      yaml.dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'good', cluster: { server: srv.url } },
          { name: 'dead', cluster: { server: DEAD } },
        ],
        users: [{ name: 'u', user: {} }],
        contexts: [
          { name: 'good', context: { cluster: 'good', user: 'u' } },
          { name: 'dead', context: { cluster: 'dead', user: 'u' } },
        ],
        'current-context': 'dead',
      }),
    );
    writeFileSync(b, yaml.dump({ apiVersion: 'v1', kind: 'Config', 'current-context': 'good' }));
    refused(await h.run(['get', 'hn'], { env: { KUBECONFIG: a } }), /127\.0\.0\.1:1 was refused/);
    assert.match(ok(await h.run(['get', 'hn', '--context', 'good'], { env: { KUBECONFIG: a } })).stdout, /^node-01 /m);
    assert.match(
      ok(await h.run(['get', 'hn'], { env: { KUBECONFIG: `${b}:${a}:${join(work, 'absent.yaml')}` } })).stdout,
      /^node-01 /m,
    );
    assert.match(ok(await h.run(['--kubeconfig', a, '--context', 'good', 'get', 'hn'])).stdout, /^node-01 /m);
    refused(
      await h.run(['get', 'hn', '--kubeconfig', join(work, 'absent.yaml')]),
      /the kubeconfig file .*absent\.yaml does not exist/,
    );
    refused(
      await h.run(['get', 'hn', '--context', 'nope'], { env: { KUBECONFIG: a } }),
      /context "nope" does not exist/,
    );
    // HIL's variable: the kubeconfig is not consulted at all.
    assert.match(
      ok(await h.run(['get', 'hn'], { env: { KUBECONFIG: a, HIL_ENDPOINT: srv.url } })).stdout,
      /^node-01 /m,
    );
    // …unless a context is asked for by name.
    refused(
      await h.run(['get', 'hn', '--context', 'dead'], { env: { KUBECONFIG: a, HIL_ENDPOINT: srv.url } }),
      /127\.0\.0\.1:1 was refused/,
    );
    assert.match(
      ok(await h.run(['get', 'hn', '--server', srv.url], { env: { HIL_ENDPOINT: DEAD } })).stdout,
      /^node-01 /m,
    );
    const v = ok(await h.run(['version'], { env: { HIL_ENDPOINT: srv.url } }));
    assert.match(v.stdout, /^Server Version: v1\.32\.0\+hil/m);
    assert.match(v.stdout, /from HIL_ENDPOINT/);
  });

  test('credentials: HIL_USERNAME/HIL_PASSWORD, HIL_TOKEN, --token and kubeconfig tokens; a 401 says what to do', async () => {
    const authOf = async (env: NodeJS.ProcessEnv, args: string[] = []) => {
      const before = proxy.seen.length;
      const r = await h.run(['get', 'hn', ...args], { env });
      return { r, auth: proxy.seen.slice(before).map((s) => s.authorization) };
    };
    const basic = await authOf({ HIL_ENDPOINT: proxy.url, HIL_USERNAME: 'alice', HIL_PASSWORD: 'secret' });
    ok(basic.r);
    assert.ok(
      basic.auth.length > 0 && basic.auth.every((a) => a === `Basic ${Buffer.from('alice:secret').toString('base64')}`),
      String(basic.auth),
    );
    const bearer = await authOf({ HIL_ENDPOINT: proxy.url, HIL_TOKEN: 'static-token' });
    ok(bearer.r);
    assert.ok(bearer.auth.every((a) => a === 'Bearer static-token'));
    const flag = await authOf({ HIL_ENDPOINT: proxy.url, HIL_USERNAME: 'alice', HIL_PASSWORD: 'wrong' }, [
      '--token',
      'static-token',
    ]);
    ok(flag.r);
    assert.ok(
      flag.auth.every((a) => a === 'Bearer static-token'),
      '--token wins over HIL_USERNAME/HIL_PASSWORD',
    );
    const kc = join(work, 'token.yaml');
    writeFileSync(
      kc,
      yaml.dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'p', cluster: { server: proxy.url } }],
        users: [{ name: 't', user: { token: 'static-token' } }],
        contexts: [{ name: 'p', context: { cluster: 'p', user: 't' } }],
        'current-context': 'p',
      }),
    );
    const fromKc = await authOf({ KUBECONFIG: kc });
    ok(fromKc.r);
    assert.ok(fromKc.auth.every((a) => a === 'Bearer static-token'));

    const bad = await h.run(['get', 'hn'], {
      env: { HIL_ENDPOINT: proxy.url, HIL_USERNAME: 'alice', HIL_PASSWORD: 'wrong' },
    });
    refused(bad, /^error: You must be logged in to the server \(Unauthorized\)$/m);
    assert.match(bad.stderr, /hint: check HIL_USERNAME\/HIL_PASSWORD or HIL_TOKEN, or run "hilctl login"/);
    refused(
      await h.run(['get', 'hn'], { env: { HIL_ENDPOINT: proxy.url, HIL_USERNAME: 'alice' } }),
      /HIL_USERNAME is set but HIL_PASSWORD is not/,
    );
  });

  test('403 names the rule that refused; 409 says what collided and how to take over', async () => {
    const forbidden = await h.run(['delete', 'hsw', 'switch-01'], {
      env: { HIL_ENDPOINT: proxy.url, HIL_TOKEN: 'static-token' },
    });
    refused(
      forbidden,
      /^Error from server \(Forbidden\): switches\.hil\.io "switch-01" is forbidden: User "alice" cannot delete switches: rule "switches are admin-only"$/m,
    );

    // Another applier owns spec.description now.
    const other = await api(
      srv.url,
      'PATCH',
      '/apis/hil.io/v1alpha1/projects/runway?fieldManager=gitops-bot&force=true',
      { apiVersion: 'hil.io/v1alpha1', kind: 'Project', metadata: { name: 'runway' }, spec: { description: 'theirs' } },
      'application/apply-patch+yaml',
    );
    assert.equal(other.status, 200, JSON.stringify(other.body));
    const env = { HIL_ENDPOINT: srv.url };
    const conflict = await h.run(['apply', '-f', join(EXAMPLES, '10-project.yaml')], { env });
    refused(
      conflict,
      /10-project\.yaml \(document 1, line \d+\): project\.hil\.io\/runway: Error from server \(Conflict\): Apply failed with 1 conflict: conflict with "gitops-bot": \.spec\.description/,
    );
    assert.match(conflict.stderr, /re-run with --force-conflicts/);
    assert.match(
      ok(await h.run(['apply', '-f', join(EXAMPLES, '10-project.yaml'), '--force-conflicts'], { env })).stdout,
      /project\.hil\.io\/runway configured/,
    );
  });

  test('login: trades the password for a token, stores it in a kubeconfig context (0600) that later commands use', async () => {
    const kc = join(work, 'home', '.kube', 'config');
    mkdirSync(join(work, 'home', '.kube'), { recursive: true });
    // An existing kubeconfig whose other entries must survive.
    writeFileSync(
      kc,
      yaml.dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'elsewhere', cluster: { server: 'https://192.0.2.1:6443' } }],
        users: [{ name: 'me', user: { token: 'keep-me' } }],
        contexts: [{ name: 'elsewhere', context: { cluster: 'elsewhere', user: 'me' } }],
        'current-context': 'elsewhere',
      }),
      { mode: 0o644 },
    );
    const before = proxy.seen.length;
    const r = ok(
      await h.run(['login', '--server', proxy.url, '-u', 'alice', '--password-stdin', '--expiration', '1h'], {
        input: 'secret\n',
      }),
    );
    const host = new URL(proxy.url).host;
    assert.match(
      r.stdout,
      new RegExp(`^Logged in to ${proxy.url} as alice \\(the token is valid until \\S+\\)\\.$`, 'm'),
    );
    assert.match(r.stdout, new RegExp(`Context "alice@${host}" in ${kc} is now the current context`));
    const req = proxy.seen.slice(before).find((s) => s.path === '/apis/hil.io/v1alpha1/users/alice/token')!;
    assert.equal(req.method, 'POST');
    assert.equal(req.authorization, `Basic ${Buffer.from('alice:secret').toString('base64')}`);
    assert.deepEqual(JSON.parse(req.body), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    assert.equal(statSync(kc).mode & 0o777, 0o600, 'the kubeconfig holds a token: owner-only');
    const doc = yaml.load(readFileSync(kc, 'utf8')) as any;
    assert.equal(doc['current-context'], `alice@${host}`);
    assert.deepEqual(doc.users.find((u: any) => u.name === `alice@${host}`).user, { token: 'tok-1' });
    assert.ok(
      doc.contexts.some((c: any) => c.name === 'elsewhere'),
      'other contexts kept',
    );
    assert.ok(doc.users.some((u: any) => u.name === 'me' && u.user.token === 'keep-me'));

    const mark = proxy.seen.length;
    assert.match(ok(await h.run(['get', 'hn'])).stdout, /^node-01 /m);
    assert.ok(
      proxy.seen.slice(mark).every((s) => s.authorization === 'Bearer tok-1'),
      'later commands use the stored token',
    );

    // Logging in again replaces the token in place.
    ok(await h.run(['login', '-u', 'alice', '--password-stdin'], { input: 'secret\n' }));
    const again = yaml.load(readFileSync(kc, 'utf8')) as any;
    assert.equal(again.users.filter((u: any) => u.name === `alice@${host}`).length, 1);
    assert.equal(again.users.find((u: any) => u.name === `alice@${host}`).user.token, 'tok-2');
    assert.equal(again.contexts.length, 2);

    refused(
      await h.run(['login', '--server', proxy.url, '-u', 'alice', '--password-stdin'], { input: 'nope\n' }),
      /login to http:\/\/127\.0\.0\.1:\d+ failed: wrong username or password for "alice"/,
    );
    // A server without the database auth backend (an older one answers 404, a newer one says why).
    refused(
      await h.run(['login', '--server', srv.url, '-u', 'alice', '--password-stdin'], { input: 'secret\n' }),
      /does not offer token login \(POST \/apis\/hil\.io\/v1alpha1\/users\/alice\/token answered 404\)|auth backend/,
    );
    const noTty = await h.run(['login', '--server', proxy.url], { env: { HIL_USERNAME: 'alice' } });
    refused(noTty, /Password is needed, and stdin is not a terminal/);

    const pw = proxy.seen.length;
    ok(await h.run(['user', 'set-password', 'alice', '--password-stdin'], { input: 'n3w-pass\n' }));
    const put = proxy.seen.slice(pw).find((s) => s.method === 'PUT')!;
    assert.equal(put.path, '/apis/hil.io/v1alpha1/users/alice/password');
    assert.deepEqual(JSON.parse(put.body), { password: 'n3w-pass' });
    rmSync(join(work, 'home', '.kube'), { recursive: true, force: true });
  });

  test(
    'TLS: a CA file, kubeconfig CA data or --insecure-skip-tls-verify; an untrusted certificate is explained',
    { skip: HAS_OPENSSL ? false : 'openssl is not installed' },
    async () => {
      const t = tls!;
      const env = { HIL_ENDPOINT: t.url };
      const untrusted = await h.run(['get', 'hn'], { env });
      refused(
        untrusted,
        /^Unable to connect to the server https:\/\/127\.0\.0\.1:\d+: x509: certificate signed by unknown authority$/m,
      );
      assert.match(untrusted.stderr, /--certificate-authority FILE/);
      assert.match(
        ok(await h.run(['apply', '-f', join(EXAMPLES, '10-project.yaml'), '--certificate-authority', t.ca], { env }))
          .stdout,
        /project\.hil\.io\/runway created/,
      );
      assert.match(ok(await h.run(['get', 'hproj', '--insecure-skip-tls-verify'], { env })).stdout, /^runway /m);
      refused(
        await h.run(['get', 'hproj', '--insecure-skip-tls-verify', '--certificate-authority', t.ca], { env }),
        /exclude each other/,
      );

      // kubeconfig: a relative certificate-authority path (relative to the file), and inline data.
      const dir = join(work, 'tls');
      writeFileSync(
        join(dir, 'kc-file.yaml'),
        yaml.dump({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: t.url, 'certificate-authority': 'ca.pem' } }],
          users: [{ name: 'u', user: {} }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'c',
        }),
      );
      const data = readFileSync(t.ca).toString('base64');
      writeFileSync(
        join(work, 'kc-data.yaml'),
        yaml.dump({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: t.url, 'certificate-authority-data': data } }],
          users: [{ name: 'u', user: {} }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'c',
        }),
      );
      assert.match(
        ok(await h.run(['get', 'hproj'], { env: { KUBECONFIG: join(dir, 'kc-file.yaml') } })).stdout,
        /^runway /m,
      );
      assert.match(
        ok(await h.run(['get', 'hproj', '-o', 'name'], { env: { KUBECONFIG: join(work, 'kc-data.yaml') } })).stdout,
        /^project\.hil\.io\/runway$/m,
      );

      // Watch streams over TLS too.
      const w = await h.run(['get', 'hproj', '-w', '--request-timeout=2s', '--certificate-authority', t.ca], { env });
      ok(w);
      assert.match(w.stdout, /^runway /m);

      // Plain HTTP to the TLS port.
      const plain = await h.run(['get', 'hproj'], { env: { HIL_ENDPOINT: t.url.replace('https:', 'http:') } });
      assert.equal(plain.code, 1, show(plain));
      assert.match(
        plain.stderr,
        /^Unable to connect to the server http:\/\/127\.0\.0\.1:\d+: .*\n {2}hint: .*use an https:\/\/ address/m,
      );
    },
  );
});
