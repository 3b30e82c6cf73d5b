// `hil-admin serve --controllers` (what the quick start runs): the API server with the controller daemon in the
// same process. The examples applied to it converge (every attachment Attached on the mock switch, VLANs from the
// embedded default pool); with the database auth backend the embedded controllers get in with their own in-memory
// credential, while other callers still need theirs; SIGTERM stops both cleanly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { applyYaml, H, until } from '../support/controllers.js';
import { api, startChildServer, TSX_LOADER } from '../support/server.js';

const EXAMPLES = join(packageRoot(), 'manifests', 'examples');

describe('hil-admin serve --controllers', () => {
  test('the examples converge: networks get VLANs from the default pool, attachments are Attached; SIGTERM exits 0', async () => {
    const srv = await startChildServer({ extraArgs: ['--controllers', '--log-level', 'warn'] });
    try {
      assert.match(srv.output(), /no VLAN pool configured .* the embedded controllers use 1000-1099/);
      for (const f of readdirSync(EXAMPLES)
        .filter((f) => f.endsWith('.yaml'))
        .sort())
        await applyYaml(srv.url, readFileSync(join(EXAMPLES, f), 'utf8'));
      const attached = await until(
        async () => {
          const items = (await api(srv.url, 'GET', `${H}/networkattachments`)).body.items as any[];
          return items.length === 2 && items.every((a) => a.status?.phase === 'Attached') && items;
        },
        'every example attachment Attached',
        30_000,
        async () =>
          JSON.stringify((await api(srv.url, 'GET', `${H}/networkattachments`)).body.items.map((a: any) => a.status)),
      );
      assert.equal(attached.length, 2);
      const pxe = (await api(srv.url, 'GET', `${H}/networks/runway-pxe`)).body;
      assert.ok(pxe.status.vlan >= 1000 && pxe.status.vlan <= 1099, `VLAN ${pxe.status.vlan} from the default pool`);
      // The Switch's status trails its attachments' (docs/controllers.md): Ready a moment later.
      await until(
        async () =>
          (await api(srv.url, 'GET', `${H}/switches/switch-01`)).body.status?.conditions?.find(
            (c: any) => c.type === 'Ready' && c.status === 'True',
          ),
        'switch-01 Ready',
        10_000,
      );
      // The node says what its NIC carries — written up to half a second after the attachments, on purpose, so an
      // earlier "in sync, carrying nothing" entry (the port before the attachment) may still be there: wait for the
      // entry that carries a network, then check it is exactly the example's.
      const eth0 = await until(
        async () =>
          (await api(srv.url, 'GET', `${H}/nodes/node-01`)).body.status?.nics?.find(
            (n: any) => n.name === 'eth0' && n.inSync && n.networks?.length > 0,
          ),
        'node-01 eth0 in sync and carrying its network in the node status',
        10_000,
      );
      assert.deepEqual(eth0.networks, [{ network: 'runway-pxe', channel: 'native', vlan: pxe.status.vlan }]);
    } finally {
      await srv.stop('SIGTERM');
    }
    assert.equal(srv.process.exitCode, 0, srv.output().slice(-2000));
  });

  test('with database auth, the embedded controllers use their own credential; nobody else gets in without one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hil-embedded-'));
    try {
      execFileSync(
        process.execPath,
        [
          '--import',
          TSX_LOADER,
          join(packageRoot(), 'cmd', 'hil-admin.ts'),
          'create-admin-user',
          'root',
          'root-password-1',
          '--data-dir',
          dataDir,
        ],
        { cwd: dataDir, stdio: 'ignore' },
      );
      const srv = await startChildServer({
        dataDir,
        extraArgs: ['--auth', 'database', '--controllers', '--log-level', 'warn'],
      });
      try {
        const root = { authorization: `Basic ${Buffer.from('root:root-password-1').toString('base64')}` };
        assert.equal((await api(srv.url, 'GET', `${H}/networks`)).status, 401);
        assert.equal(
          (await api(srv.url, 'GET', `${H}/networks`, undefined, undefined, { authorization: 'Bearer guessed-token' }))
            .status,
          401,
        );
        const net = {
          apiVersion: 'hil.io/v1alpha1',
          kind: 'Network',
          metadata: { name: 'pub' },
          spec: { owner: '', public: true },
        };
        assert.equal((await api(srv.url, 'POST', `${H}/networks`, net, 'application/json', root)).status, 201);
        // Only the controllers allocate VLANs: a VLAN means they reached the API.
        const vlan = await until(
          async () => (await api(srv.url, 'GET', `${H}/networks/pub`, undefined, undefined, root)).body.status?.vlan,
          'a VLAN for the network',
          30_000,
        );
        assert.ok(vlan >= 1000 && vlan <= 1099);
        assert.doesNotMatch(srv.output(), /Bearer|internalToken/i);
      } finally {
        await srv.stop('SIGTERM');
      }
      assert.equal(srv.process.exitCode, 0, srv.output().slice(-2000));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
