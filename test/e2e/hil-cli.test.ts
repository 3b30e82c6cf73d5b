// The `hil` CLI (cmd/hil.ts), spawned as a user would run it, against an in-process server with database auth:
// the install guide's ending, an admin scenario with --json and tables, HIL's "Error: <msg>" and exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { KeystoneAuthenticator } from '../../apiserver/auth/keystone.js';
import { packageRoot } from '../../common/paths.js';
import { inAnHour, startKeystoneStandIn, type KeystoneStandIn } from '../support/keystone.js';
import { startInProcessServer, TSX_LOADER, type InProcessServer } from '../support/server.js';

describe('hil CLI', () => {
  let srv: InProcessServer;
  let env: NodeJS.ProcessEnv;
  /** Runs `hil ARGS…` (asynchronously: the server answers from this process). */
  const hil = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hil.ts'), ...args],
        { env: { ...env, ...extraEnv } },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
  const ok = async (args: string[]) => {
    const r = await hil(args);
    assert.equal(r.code, 0, `hil ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    srv = await startInProcessServer({ auth: 'database', headnodeBaseImages: ['centos-7'] });
    await createAdminUser(srv.store, 'root', 'root-password');
    // The endpoint's path is dropped, as HIL's client does.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HIL_ENDPOINT: `${srv.url}/some/path`,
      HIL_USERNAME: 'root',
      HIL_PASSWORD: 'root-password',
    };
  });
  after(() => srv.stop());

  test("the install guide's ending: `hil node list all` prints [] on an empty server", async () => {
    assert.equal(await ok(['node', 'list', 'all']), '[]\n');
    assert.equal(await ok(['node', 'list', 'free', '--json']), '[]\n');
  });

  test('an admin scenario: projects, switch, port, node, NIC, network, user', async () => {
    await ok(['project', 'create', 'runway']);
    await ok(['switch', 'register', 'sw1', 'mock', 'sw1.example.com', 'admin', 'switch-pw']);
    await ok(['port', 'register', 'sw1', 'gi1/0/1']);
    assert.match(await ok(['switch', 'show', 'sw1']), /gi1\/0\/1/);
    // An obmd node (HIL >= 0.4; the OBM commands are in hil-cli-obm.test.ts).
    await ok(['node', 'register', 'obmd-01', 'http://obmd.example.com/node/obmd-01', 'a'.repeat(32)]);
    const bad = await hil(['node', 'register', 'obmd-02', 'ftp://obmd.example.com/node/obmd-02', 'a'.repeat(32)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: /);
    await ok(['node', 'delete', 'obmd-01']);
    // Made through the v0 API as a pre-0.4 ipmi node (the CLI only speaks obmd).
    const r = await fetch(`${srv.url}/v0/node/node-01`, {
      method: 'PUT',
      headers: { authorization: `Basic ${Buffer.from('root:root-password').toString('base64')}` },
      body: JSON.stringify({
        obm: {
          type: 'http://schema.massopencloud.org/haas/v0/obm/ipmi',
          host: 'bmc-01',
          user: 'ADMIN',
          password: 'pw',
        },
      }),
    });
    assert.equal(r.status, 200);
    await ok(['node', 'nic', 'register', 'node-01', 'eth0', '52:54:00:00:01:01']);
    await ok(['port', 'nic', 'add', 'sw1', 'gi1/0/1', 'node-01', 'eth0']);
    assert.deepEqual(JSON.parse(await ok(['node', 'list', 'all', '--json'])), ['node-01']);
    assert.equal(
      await ok(['node', 'list', 'free']),
      [
        '+----------------+',
        '| Free Nodes (1) |',
        '+----------------+',
        '|    node-01     |',
        '+----------------+',
        '',
      ].join('\n'),
    );
    const shown = JSON.parse(await ok(['node', 'show', 'node-01', '--json']));
    assert.equal(shown.nics[0].port, 'gi1/0/1');
    assert.match(await ok(['node', 'show', 'node-01']), /\| *Macaddr *\| 52:54:00:00:01:01 \|/);
    await ok(['node', 'metadata', 'add', 'node-01', 'rack', 'R12']);
    assert.deepEqual(JSON.parse(await ok(['node', 'show', 'node-01', '--json'])).metadata, { rack: '"R12"' });
    assert.match(await ok(['node', 'show', 'node-01']), /\| +rack +\| +R12 +\|/);
    await ok(['node', 'metadata', 'delete', 'node-01', 'rack']);
    const noLabel = await hil(['node', 'metadata', 'delete', 'node-01', 'rack']);
    assert.deepEqual([noLabel.code, noLabel.stderr], [1, 'Error: No metadata with label rack on node node-01.\n']);
    // HIL's switch show: capabilities "Standard" when none, then one port a line.
    await ok(['port', 'register', 'sw1', 'gi1/0/2']);
    assert.match(await ok(['switch', 'show', 'sw1']), /\| +Ports +\| +gi1\/0\/1 +\|\n\| +\| +gi1\/0\/2 +\|/);
    await ok(['port', 'delete', 'sw1', 'gi1/0/2']);
    const arity = await hil(['switch', 'register', 'sw2', 'mock', 'only-a-host']);
    assert.equal(arity.code, 1);
    assert.match(arity.stderr, /^ERROR: subtype mock requires exactly 3 arguments\n<hostname> <username> <password>/);
    await ok(['project', 'node', 'add', 'runway', 'node-01']);
    assert.deepEqual(JSON.parse(await ok(['project', 'node', 'list', 'runway', '--json'])), ['node-01']);
    await ok(['network', 'create', 'runway-pxe', 'admin', '--access', 'runway', '--net-id', '1100']);
    assert.deepEqual(JSON.parse(await ok(['network', 'list', '--json'])), {
      'runway-pxe': { network_id: '1100', projects: ['runway'] },
    });
    const connect = JSON.parse(
      await ok(['node', 'network', 'connect', 'node-01', 'eth0', 'runway-pxe', 'vlan/native', '--json']),
    );
    const action = JSON.parse(await ok(['networking-action', 'show', connect.status_id, '--json']));
    assert.equal(action.status, 'PENDING');
    // Still PENDING (no switch controller here): nothing is attached yet.
    assert.deepEqual(JSON.parse(await ok(['network', 'list-attachments', 'runway-pxe', '--json'])), {});
    assert.deepEqual(
      JSON.parse(await ok(['network', 'list-attachments', 'runway-pxe', '--project', 'runway', '--json'])),
      {},
    );
    // HIL's network show: channels and access one a line.
    const shownNet = await ok(['network', 'show', 'runway-pxe']);
    assert.match(shownNet, /\| +Channels +\| +vlan\/native +\|\n\| +\| +vlan\/1100 +\|/);
    assert.match(shownNet, /\| +Access +\| +runway +\|/);
    const noProject = await hil(['network', 'list-attachments', 'runway-pxe', '--project', 'nope']);
    assert.equal(noProject.code, 1);
    assert.match(noProject.stderr, /^Error: .*nope/);
    // port revert: refused while the connect is pending; once the switch carries it, a Status ID table.
    const busy = await hil(['port', 'revert', 'sw1', 'gi1/0/1']);
    assert.deepEqual([busy.code, busy.stderr], [1, 'Error: A networking operation is already active on the nic.\n']);
    const rootAuth = { authorization: `Basic ${Buffer.from('root:root-password').toString('base64')}` };
    const atts = await (
      await fetch(`${srv.url}/apis/hil.io/v1alpha1/networkattachments`, { headers: rootAuth })
    ).json();
    const patched = await fetch(
      `${srv.url}/apis/hil.io/v1alpha1/networkattachments/${atts.items[0].metadata.name}/status`,
      {
        method: 'PATCH',
        headers: { ...rootAuth, 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ status: { phase: 'Attached', vlan: 1100 } }),
      },
    );
    assert.equal(patched.status, 200);
    assert.match(await ok(['port', 'revert', 'sw1', 'gi1/0/1']), /\| Status ID \| [0-9a-f-]{36} \|/);
    await ok(['user', 'create', 'alice', 'alice-password', 'regular']);
    await ok(['user', 'project', 'add', 'alice', 'runway']);
    assert.deepEqual(JSON.parse(await ok(['project', 'list', '--json'])), ['runway']);
    const asAlice = await hil(['project', 'list'], { HIL_USERNAME: 'alice', HIL_PASSWORD: 'alice-password' });
    assert.equal(asAlice.code, 1);
    assert.equal(asAlice.stderr, 'Error: This operation is administrator-only.\n');
  });

  test('headnodes: the body printed as it is, errors as HIL prints them', async () => {
    assert.equal(await ok(['headnode', 'list-images']), '["centos-7"]\n');
    assert.equal(await ok(['headnode', 'create', 'hn1', 'runway', 'centos-7']), '\n');
    await ok(['headnode', 'nic', 'create', 'hn1', 'eth0']);
    // runway-pxe has an explicit VLAN: not an "allocated" network, which HIL refuses for headnodes.
    const external = await hil(['headnode', 'network', 'connect', 'hn1', 'eth0', 'runway-pxe']);
    assert.equal(external.code, 1);
    assert.match(external.stderr, /^Error: \{"type":"BadArgumentError","msg":"Headnodes may only be connected/);
    assert.equal(await ok(['headnode', 'list', 'runway']), '["hn1"]\n');
    const shown = JSON.parse(await ok(['headnode', 'show', 'hn1']));
    assert.deepEqual([shown.name, shown.project, shown.hnics, shown.base_img], ['hn1', 'runway', ['eth0'], 'centos-7']);
    await ok(['headnode', 'start', 'hn1']);
    const frozen = await hil(['headnode', 'nic', 'create', 'hn1', 'eth1']);
    assert.deepEqual([frozen.code, frozen.stderr], [1, 'Error: {"type":"IllegalStateError","msg":""}\n']);
    await ok(['headnode', 'stop', 'hn1']);
    await ok(['headnode', 'delete', 'hn1']);
    assert.equal(await ok(['headnode', 'list', 'runway']), '[]\n');
  });

  test('bash completion from the command tree: `hil completion bash` sourced in bash', async () => {
    const script = await ok(['completion', 'bash']);
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) => {
        const line = words.map((w) => `'${w}'`).join(' ');
        execFile(
          'bash',
          [
            '-c',
            `eval "$SCRIPT"; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _hil_completion; echo "\${COMPREPLY[*]}"`,
          ],
          { env: { PATH: process.env.PATH, SCRIPT: script } },
          (err, stdout) => (err ? reject(err) : resolve(stdout.trim())),
        );
      });
    assert.equal(await complete(['hil', 'net']), 'network networking-action');
    assert.equal(await complete(['hil', 'node', 'network', '']), 'connect detach --help');
    assert.equal(await complete(['hil', 'port', 're']), 'register revert');
    assert.equal(await complete(['hil', 'headnode', 'nic', 'c']), 'create');
    assert.equal(await complete(['hil', 'node', 'list', '--j']), '--json');
    // click's hook, which HIL's CLI answered, prints the same script.
    assert.equal((await hil([], { _HIL_COMPLETE: 'source' })).stdout, script);
  });

  test('failures print Error: <msg> and exit non-zero', async () => {
    const dup = await hil(['project', 'create', 'runway']);
    assert.deepEqual([dup.code, dup.stderr], [1, 'Error: Project runway already exists.\n']);
    const missing = await hil(['node', 'show', 'nope']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Error: Node nope does not exist.\n']);
    const noEndpoint = await hil(['node', 'list', 'all'], { HIL_ENDPOINT: '' });
    assert.equal(noEndpoint.code, 1);
    assert.match(noEndpoint.stderr, /^Error: HIL_ENDPOINT/);
    const badPassword = await hil(['node', 'list', 'all'], { HIL_PASSWORD: 'wrong-password' });
    assert.equal(badPassword.code, 1);
    assert.match(badPassword.stderr, /^Error: Authentication failed/);
  });
});

describe('hil CLI with Keystone (OS_* variables)', () => {
  let keystone: KeystoneStandIn;
  let srv: InProcessServer;
  let ksUrl = '';

  before(async () => {
    // The CLI's password login (dave), and the server's own (service) login and validation.
    keystone = await startKeystoneStandIn({
      users: {
        dave: { password: 'dave-pw', token: 'token-of-dave' },
        hil: { password: 'svc-pw', token: 'token-of-hil' },
      },
      tokens: {
        'token-of-dave': {
          user: { name: 'dave' },
          roles: [{ name: 'admin' }],
          project: { id: 'admin' },
          expires_at: inAnHour(),
        },
        'token-of-hil': {
          user: { name: 'hil' },
          roles: [{ name: 'service' }],
          project: { id: 'service' },
          expires_at: inAnHour(),
        },
      },
    });
    ksUrl = keystone.url;
    srv = await startInProcessServer({
      authenticatorOverride: new KeystoneAuthenticator({
        authUrl: ksUrl,
        username: 'hil',
        password: 'svc-pw',
        projectName: 'service',
      }),
    });
  });
  after(async () => {
    await srv.stop();
    await keystone.close();
  });

  const hil = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hil.ts'), ...args],
        { env: { PATH: process.env.PATH, HOME: process.env.HOME, HIL_ENDPOINT: srv.url, ...env } },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  test('gets a token from Keystone with the OS_* credentials and sends it as X-Auth-Token', async () => {
    const os = {
      OS_AUTH_URL: `${ksUrl}/v3`,
      OS_USERNAME: 'dave',
      OS_PASSWORD: 'dave-pw',
      OS_PROJECT_NAME: 'admin',
    };
    const r = await hil(['project', 'create', 'ks-made'], os);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse((await hil(['project', 'list', '--json'], os)).stdout), ['ks-made']);
    const login = keystone.logins.find((b) => b.auth.identity.password.user.name === 'dave');
    assert.deepEqual(login.auth.identity.password.user.domain, { id: 'default' });
    assert.deepEqual(login.auth.scope.project, { name: 'admin', domain: { id: 'default' } });
    // A wrong password: Keystone refuses, the CLI says so and fails.
    const bad = await hil(['project', 'list'], { ...os, OS_PASSWORD: 'nope' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: Keystone refused the OS_\* credentials \(HTTP 401\)/);
    // Without OS_PROJECT_NAME there are no credentials: the server asks for authentication.
    const { OS_PROJECT_NAME: _p, ...partial } = os;
    const none = await hil(['project', 'list'], partial);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Error: Authentication failed/);
  });
});
