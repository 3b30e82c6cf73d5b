// The auth work end to end, as an operator runs it: an existing HIL hil.cfg (database auth, VLAN pool), the
// bootstrap admin from hil-admin, kubectl with a bearer token, the invariants' errors through kubectl, and a grep
// of the server's log for any password or token.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../common/paths.js';
import {
  api,
  freePort,
  makeTestCertificates,
  startChildServer,
  TSX_LOADER,
  type ChildServer,
} from '../support/server.js';

const run = promisify(execFile);
const G = '/apis/hil.io/v1alpha1';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/** A HIL 0.x configuration as admins have them: comments, optional sections, extensions HIL had. */
const hilCfg = (dir: string, port: number, tls: { certFile: string; keyFile: string }) => `# HIL configuration
[general] # Optional
log_level = info
log_dir = /var/log/

[auth] # Optional
require_authentication = True

[headnode]
trunk_nic = eth0
base_imgs = img1, img2
libvirt_endpoint = qemu:///system

[client]
endpoint = http://127.0.0.1:${port}

[database]
uri = sqlite:///${join(dir, 'hil.db')}

[devel] # Optional
#dry_run=

[network-daemon] # Optional
#sleep_time=

[extensions]
hil.ext.network_allocators.vlan_pool =
hil.ext.switches.dell =
hil.ext.auth.database =

[hil.ext.network_allocators.vlan_pool]
vlans = 100-200

[hil.ext.switches.dell]
save = True

[server]
listen = 127.0.0.1:${port}
tls_cert = ${tls.certFile}
tls_key = ${tls.keyFile}
`;

describe('auth, end to end', () => {
  let dir: string;
  let srv: ChildServer;
  let token: string;
  let certs: NonNullable<ReturnType<typeof makeTestCertificates>>;
  const ADMIN_PASSWORD = 'Adm1n-pa55word-xyz';
  const ALICE_PASSWORD = 'alice-Secret-42';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hil-auth-e2e-'));
    const port = await freePort();
    const cfg = join(dir, 'hil.cfg');
    // Over TLS, as in production: kubectl sends bearer tokens only over HTTPS.
    certs = makeTestCertificates(dir)!;
    assert.ok(certs, 'openssl is needed (hack/install-test-deps.sh installs it)');
    writeFileSync(cfg, hilCfg(dir, port, certs));
    chmodSync(cfg, 0o600);
    const boot = await run(
      process.execPath,
      [
        '--import',
        TSX_LOADER,
        join(packageRoot(), 'cmd', 'hil-admin.ts'),
        'create-admin-user',
        'root',
        ADMIN_PASSWORD,
        '--config',
        cfg,
      ],
      { cwd: dir },
    );
    assert.match(boot.stdout, /created administrator "root"/);
    const tok = await run(
      process.execPath,
      ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hil-admin.ts'), 'create-token', 'root', '--config', cfg],
      { cwd: dir },
    );
    token = tok.stdout.trim();
    assert.match(token, /^hil_/);
    srv = await startChildServer({
      port,
      dataDir: dir,
      omitDataDirFlag: true,
      extraArgs: ['--config', cfg, '--log-level', 'debug'],
      tlsCa: certs.ca,
    });
  });
  after(async () => {
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => ({ authorization: `Bearer ${token}` });

  test('an existing HIL hil.cfg is accepted: its standard sections and extensions raise no warnings', () => {
    const lines = srv
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const serving = lines.find((l) => l.message === 'serving');
    assert.equal(serving?.auth, 'database');
    assert.ok(!lines.some((l) => /authentication is DISABLED/.test(l.message)));
    assert.deepEqual(
      lines.filter((l) => l.level === 'warn' && /hil\.cfg/.test(l.message)).map((l) => l.message),
      [],
    );
  });

  test('the VLAN pool from hil.cfg bounds explicit VLANs', async () => {
    const ok = await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'ext' }, spec: { owner: '', vlan: 150 } },
      undefined,
      admin(),
    );
    assert.equal(ok.status, 201);
    const out = await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'ext2' }, spec: { owner: '', vlan: 999 } },
      undefined,
      admin(),
    );
    assert.equal(out.status, 422);
    assert.match(out.body.message, /not in the VLAN pool \(100-200\)/);
  });

  test('users: created by the admin, password set, Basic and token both work', async () => {
    const u = await api(
      srv.url,
      'POST',
      `${G}/users`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'User', metadata: { name: 'alice' }, spec: { projects: ['p1'] } },
      undefined,
      admin(),
    );
    assert.equal(u.status, 201);
    assert.equal(
      (await api(srv.url, 'PUT', `${G}/users/alice/password`, { password: ALICE_PASSWORD }, undefined, admin())).status,
      200,
    );
    const basic = { authorization: `Basic ${Buffer.from(`alice:${ALICE_PASSWORD}`).toString('base64')}` };
    const tr = await api(srv.url, 'POST', `${G}/users/alice/token`, {}, undefined, basic);
    assert.equal(tr.status, 201);
    assert.equal(
      (
        await api(srv.url, 'GET', `${G}/users/alice`, undefined, undefined, {
          authorization: `Bearer ${tr.body.status.token}`,
        })
      ).status,
      200,
    );
    assert.equal((await api(srv.url, 'GET', `${G}/switches`, undefined, undefined, basic)).status, 403);
  });

  test(
    'kubectl with a bearer token in a kubeconfig; without one it is told to log in',
    { skip: hasKubectl ? false : 'kubectl is not installed' },
    async () => {
      const kc = join(dir, 'kubeconfig');
      writeFileSync(
        kc,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: hil\n  cluster:\n    server: ${srv.url}\n    certificate-authority: ${certs.caFile}\nusers:\n- name: root\n  user:\n    token: ${token}\ncontexts:\n- name: hil\n  context:\n    cluster: hil\n    user: root\ncurrent-context: hil\n`,
      );
      chmodSync(kc, 0o600);
      // stdin closed: kubectl prompts for a username when it has no credentials for an HTTPS server.
      const kubectl = (args: string[], kubeconfig: string) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('kubectl', [`--cache-dir=${mkdtempSync(join(dir, 'cache-'))}`, ...args], {
            env: { ...process.env, KUBECONFIG: kubeconfig },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += d));
          child.stderr.on('data', (d) => (stderr += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stdout, stderr });
          });
        });
      const ok = await kubectl(['get', 'hnet'], kc);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /ext/);
      const badKc = join(dir, 'kubeconfig-bad');
      writeFileSync(badKc, readFileSync(kc, 'utf8').replace(token, 'hil_not-a-valid-token'));
      const bad = await kubectl(['get', 'hnet'], badKc);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /You must be logged in to the server/);

      // The invariants' errors, as kubectl shows them.
      const files: [string, string, RegExp][] = [
        [
          'ports.yaml',
          'apiVersion: hil.io/v1alpha1\nkind: Switch\nmetadata: {name: sw1}\nspec: {type: mock, address: x}\n---\napiVersion: hil.io/v1alpha1\nkind: Port\nmetadata: {name: p1}\nspec: {switch: sw1, interface: gi1/0/1}\n---\napiVersion: hil.io/v1alpha1\nkind: Port\nmetadata: {name: p1-dup}\nspec: {switch: sw1, interface: gi1/0/1}\n',
          /Port "p1-dup": interface "gi1\/0\/1" of switch "sw1" is already declared by Port "p1"/,
        ],
        [
          'net.yaml',
          'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: proj-net}\nspec: {owner: p1, public: true}\n',
          /spec.public: Invalid value: true: a project-owned network cannot be public/,
        ],
        [
          'vlan.yaml',
          'apiVersion: hil.io/v1alpha1\nkind: Network\nmetadata: {name: ext-dup}\nspec: {owner: "", vlan: 150}\n',
          /VLAN 150 is already used by network "ext"/,
        ],
      ];
      for (const [name, yaml, msg] of files) {
        writeFileSync(join(dir, name), yaml);
        const r = await kubectl(['apply', '-f', join(dir, name)], kc);
        assert.notEqual(r.code, 0, name);
        assert.match(r.stderr, msg, name);
      }
    },
  );

  test('the server log names the user on each request and holds no password, hash or token', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const out = srv.output();
    const requests = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.message === 'request');
    assert.ok(requests.length > 5);
    assert.ok(requests.some((l) => l.user === 'root'));
    assert.ok(requests.some((l) => l.user === 'alice'));
    for (const secret of [ADMIN_PASSWORD, ALICE_PASSWORD, token, token.slice(4), 'scrypt$']) {
      assert.ok(!out.includes(secret), `the log contains ${secret.slice(0, 6)}…`);
    }
  });
});
