// hil-admin as an operator runs it: db create/upgrade, serve with hil.cfg and flags, TLS, logs and metrics.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../common/paths.js';
import { createTestDatabase } from '../support/postgres.js';
import { openStore } from '../../apiserver/store/open.js';
import { tokenHash, verifyPassword } from '../../apiserver/auth/secrets.js';
import { api, freePort, startChildServer, TSX_LOADER } from '../support/server.js';

const run = promisify(execFile);
const HIL_ADMIN = join(packageRoot(), 'cmd', 'hil-admin.ts');
const hilAdmin = (args: string[], cwd: string) =>
  // A command expected to fail must not hang the suite if it starts serving instead.
  run(process.execPath, ['--import', TSX_LOADER, HIL_ADMIN, ...args], { cwd, env: process.env, timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

describe('hil-admin', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'hil-admin-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('db create makes the schema once; db upgrade then has nothing to do (SQLite and PostgreSQL)', async () => {
    const dir = tmp();
    const first = await hilAdmin(['db', 'create', '--data-dir', dir], dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied 0001_log_and_objects/);
    assert.ok(existsSync(join(dir, 'hil.db')));
    const again = await hilAdmin(['db', 'create', '--data-dir', dir], dir);
    assert.match(again.stdout, /already exists and is up to date/);
    const up = await hilAdmin(['db', 'upgrade', '--data-dir', dir], dir);
    assert.match(up.stdout, /nothing to do/);
    const db = await createTestDatabase();
    try {
      const pg = await hilAdmin(['db', 'create', '--database-uri', db.uri], dir);
      assert.equal(pg.code, 0, pg.stderr);
      assert.match(pg.stdout, /applied 0001_log_and_objects/);
    } finally {
      await db.drop();
    }
  });

  test('a hil.cfg readable by others is refused with the fix; a private one is used', async () => {
    const dir = tmp();
    const cfg = join(dir, 'hil.cfg');
    const port = await freePort();
    writeFileSync(
      cfg,
      `[server]\nlisten = 127.0.0.1:${port}\ndata_dir = ${join(dir, 'store')}\n[extensions]\nhil.ext.auth.null =\n`,
    );
    chmodSync(cfg, 0o644);
    const refused = await hilAdmin(['serve', '--config', cfg], dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /accessible by group or others.*chmod 600/);
    chmodSync(cfg, 0o600);
    const srv = await startChildServer({ port, extraArgs: ['--config', cfg], dataDir: dir, omitDataDirFlag: true });
    try {
      assert.equal((await api(srv.url, 'GET', '/version')).status, 200);
      assert.ok(existsSync(join(dir, 'store', 'hil.db')), 'data_dir from hil.cfg is used');
    } finally {
      await srv.stop();
    }
  });

  test('bad settings fail fast with a clear message', async () => {
    const dir = tmp();
    const cases: [string[], RegExp][] = [
      [['serve', '--listen', 'nowhere'], /expected HOST:PORT/],
      [['serve', '--auth', 'ldap'], /must be null, database or keystone/],
      [['serve', '--auth', 'keystone'], /needs \[hil\.ext\.auth\.keystone\] auth_url/],
      [['serve', '--tls-cert', 'x.pem'], /both a certificate/],
      [['serve', '--database-uri', 'mysql://h/db'], /unsupported scheme/],
    ];
    for (const [args, msg] of cases) {
      const r = await hilAdmin(args, dir);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, msg, args.join(' '));
    }
  });

  test('one JSON log line per request, with verb, resource and code; secrets never logged', async () => {
    const srv = await startChildServer({ extraArgs: ['--log-level', 'debug'] }); // request lines are at debug
    try {
      const secret = 'correct-horse-battery-staple';
      const r = await api(srv.url, 'POST', '/api/v1/namespaces/hil-system/secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'bmc' },
        stringData: { password: secret },
      });
      assert.equal(r.status, 201);
      await api(srv.url, 'GET', '/apis/hil.io/v1alpha1/nodes/absent');
      await new Promise((res) => setTimeout(res, 200));
      const lines = srv
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      const create = lines.find((l) => l.message === 'request' && l.verb === 'create' && l.resource === 'secrets');
      assert.ok(create, 'a log line for the create');
      assert.equal(create.code, 201);
      assert.equal(create.namespace, 'hil-system');
      assert.equal(typeof create.durationMs, 'number');
      const miss = lines.find((l) => l.message === 'request' && l.verb === 'get' && l.resource === 'nodes');
      assert.equal(miss?.code, 404);
      assert.ok(
        lines.some((l) => /authentication is DISABLED/.test(l.message)),
        'the null auth backend warns loudly',
      );
      const out = srv.output();
      assert.ok(
        !out.includes(secret) && !out.includes(Buffer.from(secret).toString('base64')),
        'the secret is not in the log',
      );
      const metrics = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(metrics, /apiserver_request_total\{verb="create",resource="secrets",code="201"\} 1/);
      assert.match(metrics, /process_resident_memory_bytes/);
    } finally {
      await srv.stop();
    }
  });

  test(
    'TLS: serves HTTPS with the given certificate',
    { skip: spawnSync('openssl', ['version']).status !== 0 ? 'openssl is not installed' : false },
    async () => {
      const dir = tmp();
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
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
          cert,
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
      const child = execFile(
        process.execPath,
        [
          '--import',
          TSX_LOADER,
          HIL_ADMIN,
          'serve',
          '--listen',
          `127.0.0.1:${port}`,
          '--data-dir',
          dir,
          '--tls-cert',
          cert,
          '--tls-key',
          key,
        ],
        { cwd: dir },
      );
      try {
        const https = await import('node:https');
        const get = () =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = https.get({ host: '127.0.0.1', port, path: '/apis', ca: [readFileSync(cert)] }, (res) => {
              let body = '';
              res.on('data', (d) => (body += d));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
            req.on('error', reject);
          });
        let got: { status: number; body: string } | undefined;
        for (let i = 0; i < 100 && !got; i++) {
          got = await get().catch(() => undefined);
          if (!got) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(got?.status, 200);
        assert.match(got.body, /APIGroupList/);
      } finally {
        child.kill('SIGTERM');
      }
    },
  );
  test('secrets off the command line: passwords from stdin, a file or $HIL_PASSWORD; a password argument works with a warning', async () => {
    const dir = tmp();
    const admin = (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
      const r = spawnSync(process.execPath, ['--import', TSX_LOADER, HIL_ADMIN, ...args, '--data-dir', dir], {
        cwd: dir,
        input: opts.input ?? '',
        env: { ...process.env, HIL_PASSWORD: '', ...opts.env },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const visible = /visible to other users of this host/;
    const stdin = admin(['create-admin-user', 'a-stdin', '--password-stdin'], { input: 'stdin-password\n' });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.doesNotMatch(stdin.stderr, visible);
    const file = join(dir, 'pw');
    writeFileSync(file, 'file-password\n', { mode: 0o600 });
    const fromFile = admin(['create-admin-user', 'a-file', '--password-file', file]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.doesNotMatch(fromFile.stderr, visible);
    const fromEnv = admin(['create-admin-user', 'a-env'], { env: { HIL_PASSWORD: 'env-password' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.doesNotMatch(fromEnv.stderr, visible);
    const positional = admin(['create-admin-user', 'a-arg', 'arg-password']);
    assert.equal(positional.code, 0, positional.stderr);
    assert.match(
      positional.stderr,
      /warning: a password on the command line is visible to other users of this host.*--password-stdin/,
    );
    const none = admin(['create-admin-user', 'a-none']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no password: use --password-stdin, --password-file FILE or \$HIL_PASSWORD/);
    const two = admin(['create-admin-user', 'a-two', 'arg-password', '--password-file', file]);
    assert.notEqual(two.code, 0);
    assert.match(two.stderr, /give the password one way/);

    const token = admin(['create-token', 'a-arg']).stdout.trim();
    const revoked = admin(['revoke-tokens', 'a-arg']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked 1 token of user "a-arg"/);

    const store = await openStore({ dataDir: dir });
    try {
      for (const [user, pw] of [
        ['a-stdin', 'stdin-password'],
        ['a-file', 'file-password'],
        ['a-env', 'env-password'],
        ['a-arg', 'arg-password'],
      ]) {
        const cred = await store.getPassword(user);
        assert.ok(cred && (await verifyPassword(pw, cred.secretHash)), user);
      }
      assert.equal(await store.getPassword('a-none'), undefined);
      assert.equal(await store.findToken(tokenHash(token)), undefined, 'the token is revoked');
    } finally {
      await store.close();
    }
  });

  test('a password in --database-uri and serve-networks --token warn, and are not echoed; --token-file is read', async () => {
    const dir = tmp();
    const uri = await hilAdmin(
      ['db', 'upgrade', '--database-uri', 'postgresql://hil:uri-secret-pw@127.0.0.1:1/hil'],
      dir,
    );
    assert.notEqual(uri.code, 0);
    assert.match(uri.stderr, /warning: a password in --database-uri on the command line is visible.*HIL_DATABASE_URI/);
    assert.doesNotMatch(uri.stderr + uri.stdout, /uri-secret-pw/);
    const missing = await hilAdmin(
      ['serve-networks', '--server', 'http://127.0.0.1:1', '--token-file', join(dir, 'no-such-file')],
      dir,
    );
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read .*no-such-file: ENOENT/);
    // --token given literally: the daemon would start (and retry forever); the warning comes first.
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX_LOADER,
        HIL_ADMIN,
        'serve-networks',
        '--server',
        'http://127.0.0.1:1',
        '--token',
        'hil_cmdline-token',
        '--no-leader-elect',
      ],
      { cwd: dir, env: process.env },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 30_000;
    while (!/warning: --token/.test(err) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await exited;
    assert.match(
      err,
      /warning: --token on the command line is visible to other users of this host.*--token-file or \$HIL_TOKEN/,
    );
  });
});
