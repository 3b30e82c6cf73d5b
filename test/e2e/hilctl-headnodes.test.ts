// `hilctl get headnodes` / `hilctl describe headnode` show what a headnode user needs: state, readiness, the VNC port,
// the domain (wide), and per hnic its network, VLAN, bridge and MAC (describe). The status is written as the headnode
// controller writes it; hilctl runs as a child process (cmd/hilctl.ts through tsx).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { packageRoot } from '../../common/paths.js';
import { api, startInProcessServer, TSX_LOADER, type InProcessServer } from '../support/server.js';

const run = promisify(execFile);
const H = '/apis/hil.io/v1alpha1';
let srv: InProcessServer;
const hilctl = async (...args: string[]) =>
  (
    await run(process.execPath, ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hilctl.ts'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', HIL_ENDPOINT: srv.url },
      encoding: 'utf8',
      timeout: 30_000,
    })
  ).stdout;

before(async () => {
  srv = await startInProcessServer();
  await api(srv.url, 'POST', `${H}/projects`, {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Project',
    metadata: { name: 'p1' },
    spec: {},
  });
  await api(srv.url, 'POST', `${H}/headnodes`, {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Headnode',
    metadata: { name: 'hn1' },
    spec: { project: 'p1', baseImage: 'img', hnics: [{ name: 'pxe', network: 'net-a' }, { name: 'spare' }] },
  });
  const r = await api(
    srv.url,
    'PATCH',
    `${H}/headnodes/hn1/status`,
    {
      status: {
        state: 'Running',
        uuid: '79c84bf2-fcc1-4651-a527-c43025c35baa',
        vncPort: 5907,
        domain: 'hil-headnode-0b9a2c1e',
        frozen: true,
        hnics: [
          { name: 'pxe', network: 'net-a', vlan: 104, bridge: 'br-vlan104', mac: '52:54:00:01:02:03' },
          { name: 'spare' },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Running',
            message: 'domain hil-headnode-0b9a2c1e is running; VNC console on port 5907',
            lastTransitionTime: '2026-11-25T15:00:00Z',
          },
        ],
      },
    },
    'application/merge-patch+json',
  );
  assert.equal(r.status, 200);
});
after(async () => srv?.stop());

test('get: state, ready and VNC port by default; image and domain with -o wide', async () => {
  const out = await hilctl('get', 'headnodes');
  assert.match(out.split('\n')[0], /NAME\s+PROJECT\s+STATE\s+READY\s+VNC\s+AGE/);
  assert.match(out, /hn1\s+p1\s+Running\s+True\s+5907\s/);
  const wide = await hilctl('get', 'hhn', '-o', 'wide');
  assert.match(wide, /hn1\s+p1\s+Running\s+True\s+5907\s+true\s+img\s+hil-headnode-0b9a2c1e\s+Running\s/);
});

test('describe: each hnic with its network, VLAN, bridge and MAC; VNC port; the Ready message', async () => {
  const out = await hilctl('describe', 'headnode', 'hn1');
  assert.match(out, /pxe\s+net-a\s+104\s+br-vlan104\s+52:54:00:01:02:03/);
  assert.match(out, /Vnc Port:\s+5907/);
  assert.match(out, /Frozen:\s+true/);
  assert.match(out, /Ready\s+True\s+Running\s+\S+\s+domain hil-headnode-0b9a2c1e is running; VNC console on port 5907/);
});
