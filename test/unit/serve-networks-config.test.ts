// `hil-admin serve-networks` settings: where the API is (--server, --kubeconfig + --context, KUBECONFIG,
// HIL_ENDPOINT, hil.cfg [client] endpoint), the VLAN pool from hil.cfg, and flag errors a user would see.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveServeNetworks } from '../../controllers/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'hil-sn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cfg(text: string, mode = 0o600): string {
  const p = join(dir, `hil-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster: {server: "http://127.0.0.1:6443"}
- name: prod
  cluster: {server: "https://hil.example.org:6443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: tok-123}
contexts:
- name: dev
  context: {cluster: dev, user: admin}
- name: prod
  context: {cluster: prod, user: admin}
current-context: dev
`,
);

describe('serve-networks settings', () => {
  test('--server and --token; defaults: resync 60 s, leader election on', () => {
    const s = resolveServeNetworks({ server: 'http://127.0.0.1:7000', token: 't0k' }, {});
    assert.equal(s.kubeConfig.getCurrentCluster()?.server, 'http://127.0.0.1:7000');
    assert.equal(s.kubeConfig.getCurrentUser()?.token, 't0k');
    assert.equal(s.resyncMs, 60_000);
    assert.equal(s.leaderElection, true);
    assert.equal(s.pool, undefined);
  });

  test("the VLAN pool from hil.cfg, in HIL's own format", () => {
    const s = resolveServeNetworks(
      {
        server: 'http://x:1',
        config: cfg(
          '[extensions]\nhil.ext.network_allocators.vlan_pool =\n[hil.ext.network_allocators.vlan_pool]\nvlans = 100-200, 300\n',
        ),
      },
      {},
    );
    assert.equal(s.pool?.toString(), '100-200,300');
    assert.equal(s.pool?.has(300), true);
    assert.equal(s.pool?.has(201), false);
  });

  test('a bad pool, or a hil.cfg readable by others, is refused with a clear message', () => {
    assert.throws(
      () =>
        resolveServeNetworks(
          { server: 'http://x:1', config: cfg('[hil.ext.network_allocators.vlan_pool]\nvlans = 100-5000\n') },
          {},
        ),
      /\[hil\.ext\.network_allocators\.vlan_pool\] vlans: "100-5000" is outside 1-4094/,
    );
    assert.throws(
      () => resolveServeNetworks({ server: 'http://x:1', config: cfg('[client]\n', 0o644) }, {}),
      /accessible by group or others.*chmod 600/,
    );
  });

  test('--kubeconfig with --context; an unknown context is refused', () => {
    const dev = resolveServeNetworks({ kubeconfig }, {});
    assert.equal(dev.kubeConfig.getCurrentCluster()?.server, 'http://127.0.0.1:6443');
    assert.equal(dev.kubeConfig.getCurrentCluster()?.skipTLSVerify, true, 'plain http works with client-node');
    const prod = resolveServeNetworks({ kubeconfig, context: 'prod' }, {});
    assert.equal(prod.kubeConfig.getCurrentCluster()?.server, 'https://hil.example.org:6443');
    assert.equal(prod.kubeConfig.getCurrentUser()?.token, 'tok-123');
    assert.throws(() => resolveServeNetworks({ kubeconfig, context: 'nope' }, {}), /--context "nope": no such context/);
  });

  test('KUBECONFIG, then HIL_ENDPOINT, then hil.cfg [client] endpoint', () => {
    assert.equal(
      resolveServeNetworks({}, { KUBECONFIG: kubeconfig }).kubeConfig.getCurrentCluster()?.server,
      'http://127.0.0.1:6443',
    );
    const withCfg = cfg('[client]\nendpoint = http://10.0.0.1:6443\n');
    assert.equal(
      resolveServeNetworks({ config: withCfg }, { HIL_ENDPOINT: 'http://10.9.9.9:1' }).kubeConfig.getCurrentCluster()
        ?.server,
      'http://10.9.9.9:1',
    );
    const s = resolveServeNetworks({ config: withCfg }, { HIL_TOKEN: 'envtok' });
    assert.equal(s.kubeConfig.getCurrentCluster()?.server, 'http://10.0.0.1:6443');
    assert.equal(s.kubeConfig.getCurrentUser()?.token, 'envtok');
    assert.match(s.describeConnection, /hil\.cfg \[client\] endpoint/);
  });

  test('flags: --resync, --no-leader-elect, --metrics-listen, --lease-duration; bad values say which flag', () => {
    const s = resolveServeNetworks(
      {
        server: 'http://x:1',
        resync: '3',
        leaderElect: false,
        metricsListen: '0.0.0.0:9090',
        leaseDuration: '6',
        identity: 'me',
      },
      {},
    );
    assert.equal(s.resyncMs, 3_000);
    assert.equal(s.leaderElection, false);
    assert.deepEqual(s.metricsListen, { host: '0.0.0.0', port: 9090 });
    assert.equal(s.leaseDurationMs, 6_000);
    assert.equal(s.identity, 'me');
    assert.throws(() => resolveServeNetworks({ server: 'http://x:1', resync: 'soon' }, {}), /--resync "soon"/);
    // As --listen: a port alone is on the loopback.
    assert.deepEqual(resolveServeNetworks({ server: 'http://x:1', metricsListen: '9090' }, {}).metricsListen, {
      host: '127.0.0.1',
      port: 9090,
    });
    assert.throws(
      () => resolveServeNetworks({ server: 'http://x:1', metricsListen: 'metrics' }, {}),
      /--metrics-listen "metrics": expected HOST:PORT/,
    );
  });
});
