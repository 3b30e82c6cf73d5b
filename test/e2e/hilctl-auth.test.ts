// hilctl against a server with the database auth backend (`hil-admin serve --auth database`): HIL's variables for
// the administrator, `user set-password`, `hilctl login` for a project member and the kubeconfig it writes, and
// the server's own refusals as a member sees them — 401 without credentials, 403 naming the rule, 409 naming what
// collided — plus claim without --project, which picks the member's only project.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { packageRoot } from '../../common/paths.js';
import { makeServeDataDir } from '../support/kubectl.js';
import { api, startChildServer, TSX_LOADER, type ChildServer } from '../support/server.js';
import { buildHilctl, Hilctl, isolatedEnv, show, type HilctlBuild, type HilctlResult } from './hilctl-support.js';

const run = promisify(execFile);
const EXAMPLES = join(packageRoot(), 'manifests', 'examples');
const ROOT_PASSWORD = 'root-password-1';
const ALICE_PASSWORD = 'alice-password-1';

function ok(r: HilctlResult): HilctlResult {
  assert.equal(r.code, 0, `hilctl failed:\n${show(r)}`);
  return r;
}

function refused(r: HilctlResult, re: RegExp): void {
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, re);
}

describe('hilctl with the database auth backend', () => {
  let build: HilctlBuild;
  let srv: ChildServer;
  let dataDir: string;
  let work: string;
  let h: Hilctl;
  let kc: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'hilctl-auth-'));
    mkdirSync(join(work, 'home'));
    dataDir = makeServeDataDir('hilctl-auth-data-');
    const admin = run(
      process.execPath,
      [
        '--import',
        TSX_LOADER,
        join(packageRoot(), 'cmd', 'hil-admin.ts'),
        'create-admin-user',
        'root',
        ROOT_PASSWORD,
        '--data-dir',
        dataDir,
      ],
      { cwd: dataDir },
    );
    [build] = await Promise.all([buildHilctl(), admin]);
    srv = await startChildServer({ dataDir, extraArgs: ['--auth', 'database', '--log-level', 'warn'] });
    h = new Hilctl(build.bin, isolatedEnv(join(work, 'home')));
    kc = join(work, 'alice.kubeconfig');
  });

  after(async () => {
    await h?.cleanup();
    await srv?.stop();
    build?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const asRoot = () => ({ HIL_ENDPOINT: srv.url, HIL_USERNAME: 'root', HIL_PASSWORD: ROOT_PASSWORD });

  test('no or wrong credentials: told to log in', async () => {
    refused(
      await h.run(['get', 'hn'], { env: { HIL_ENDPOINT: srv.url } }),
      /^error: You must be logged in to the server \(Unauthorized\)/m,
    );
    refused(
      await h.run(['get', 'hn'], { env: { ...asRoot(), HIL_PASSWORD: 'wrong' } }),
      /hint: check HIL_USERNAME\/HIL_PASSWORD or HIL_TOKEN, or run "hilctl login"/,
    );
  });

  test("the administrator applies the lab with HIL_USERNAME/HIL_PASSWORD and sets a member's password", async () => {
    const applied = ok(await h.run(['apply', '-f', EXAMPLES], { env: asRoot() }));
    assert.match(applied.stdout, /^user\.hil\.io\/alice created$/m);
    refused(
      await h.run(['user', 'set-password', 'alice', '--password-stdin'], { env: asRoot(), input: 'short\n' }),
      /Error from server \(Invalid\): .*password/,
    );
    assert.equal(
      ok(
        await h.run(['user', 'set-password', 'alice', '--password-stdin'], {
          env: asRoot(),
          input: `${ALICE_PASSWORD}\n`,
        }),
      ).stdout,
      'user.hil.io/alice password set\n',
    );
  });

  test('the member logs in; the token in the new kubeconfig is what later commands use', async () => {
    refused(
      await h.run(['login', '--server', srv.url, '-u', 'alice', '--password-stdin', '--kubeconfig', kc], {
        input: 'not-her-password\n',
      }),
      /wrong username or password for "alice"/,
    );
    const r = ok(
      await h.run(
        ['login', '--server', srv.url, '-u', 'alice', '--password-stdin', '--kubeconfig', kc, '--expiration', '2h'],
        { input: `${ALICE_PASSWORD}\n` },
      ),
    );
    assert.match(r.stdout, /^Logged in to http:\/\/127\.0\.0\.1:\d+ as alice \(the token is valid until /m);
    assert.equal(statSync(kc).mode & 0o777, 0o600);
    const doc = yaml.load(readFileSync(kc, 'utf8')) as any;
    const token = doc.users[0].user.token;
    assert.ok(typeof token === 'string' && token.length > 10);
    const expires = Date.parse(r.stdout.match(/valid until (\S+)\)/)![1]);
    assert.ok(Math.abs(expires - Date.now() - 2 * 3600_000) < 120_000, 'the server honoured --expiration 2h');
    assert.match(ok(await h.run(['--kubeconfig', kc, 'get', 'hn'])).stdout, /^node-01 +runway /m);
    assert.match(
      ok(await h.run(['--kubeconfig', kc, 'get', 'hn'], { env: { HIL_TOKEN: token, HIL_ENDPOINT: srv.url } })).stdout,
      /^node-02 /m,
    );
  });

  test("the server's refusals as the member sees them: 403 with the rule, 409 with what collided", async () => {
    refused(
      await h.run(['--kubeconfig', kc, 'get', 'hsw']),
      /^Error from server \(Forbidden\): switches\.hil\.io is forbidden: User "alice" cannot list .*: switches are administrator-only$/m,
    );
    refused(
      await h.run(['--kubeconfig', kc, 'delete', 'hsw', 'switch-01']),
      /^Error from server \(Forbidden\): switches\.hil\.io "switch-01" is forbidden: User "alice" cannot delete .*administrator-only$/m,
    );
    // A second native network on one NIC.
    refused(
      await h.run(['--kubeconfig', kc, 'attach', 'node-01', 'eth0', 'runway-provider']),
      /^Error from server \(Conflict\): .*already has a native network, "runway-pxe"/m,
    );
    // describe works with what the member may read (the Port is admin-only: shown, not called missing).
    const d = ok(await h.run(['--kubeconfig', kc, 'describe', 'hn', 'node-01']));
    assert.match(d.stdout, /^ {2}eth0 +52:54:00:00:01:01 +switch-01-gi1-0-1 +- /m);
  });

  test('release and claim as the member: without --project, her only project', async () => {
    ok(await h.run(['--kubeconfig', kc, 'detach', 'node-02', 'eth0', 'runway-provider']));
    // No controllers here: the attachment waits on its port-revert finalizer; a release now is refused, naming it.
    const early = await h.run(['--kubeconfig', kc, 'release', 'node-02']);
    assert.notEqual(early.code, 0, show(early));
    assert.match(early.stderr, /node-02-eth0-runway-provider/, show(early));
    // What the switch reconciler does once the port is reverted (as the administrator).
    const auth = { authorization: `Basic ${Buffer.from(`root:${ROOT_PASSWORD}`).toString('base64')}` };
    const patched = await api(
      srv.url,
      'PATCH',
      '/apis/hil.io/v1alpha1/networkattachments/node-02-eth0-runway-provider',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
      auth,
    );
    assert.equal(patched.status, 200);
    assert.match(ok(await h.run(['--kubeconfig', kc, 'release', 'node-02'])).stdout, /released from project runway/);
    // The administrator has another project; the member cannot see it.
    ok(
      await h.run(['apply', '-f', '-'], {
        env: asRoot(),
        input: 'apiVersion: hil.io/v1alpha1\nkind: Project\nmetadata: {name: elsewhere}\n',
      }),
    );
    assert.match(
      ok(await h.run(['--kubeconfig', kc, 'claim', 'node-02'])).stdout,
      /^node\.hil\.io\/node-02 claimed by project runway$/m,
    );
  });
});
