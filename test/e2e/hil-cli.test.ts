// The `hil` CLI (cmd/hil.ts), spawned as a user would run it, against an in-process server with database auth:
// the install guide's ending, an admin scenario with --json and tables, HIL's "Error: <msg>" and exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { packageRoot } from '../../common/paths.js';
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
    srv = await startInProcessServer({ auth: 'database' });
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
      ['+------------+', '| Free Nodes |', '+------------+', '|  node-01   |', '+------------+', ''].join('\n'),
    );
    const shown = JSON.parse(await ok(['node', 'show', 'node-01', '--json']));
    assert.equal(shown.nics[0].port, 'gi1/0/1');
    assert.match(await ok(['node', 'show', 'node-01']), /\| *Macaddr *\| 52:54:00:00:01:01 \|/);
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
    const noProject = await hil(['network', 'list-attachments', 'runway-pxe', '--project', 'nope']);
    assert.equal(noProject.code, 1);
    assert.match(noProject.stderr, /^Error: .*nope/);
    await ok(['user', 'create', 'alice', 'alice-password', 'regular']);
    await ok(['user', 'project', 'add', 'alice', 'runway']);
    assert.deepEqual(JSON.parse(await ok(['project', 'list', '--json'])), ['runway']);
    const asAlice = await hil(['project', 'list'], { HIL_USERNAME: 'alice', HIL_PASSWORD: 'alice-password' });
    assert.equal(asAlice.code, 1);
    assert.equal(asAlice.stderr, 'Error: This operation is administrator-only.\n');
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
