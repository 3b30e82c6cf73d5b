// The controller daemon outlives its API server: `hil-admin serve` is SIGKILLed and restarted on the same port and
// data; the daemon's informers (client-node 1.4.0 stops on a non-clean watch end) are restarted with backoff, and
// the daemon goes on reconciling: a network created after the restart gets its VLAN, and a mock switch's
// attachment becomes Attached. Also: the server closing every watch after 2–4 s costs nothing (clean re-watches).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { H, metricsOf, startDaemon, until, writeHilCfg, type Daemon } from '../support/controllers.js';
import { api, freePort, startChildServer, type ChildServer } from '../support/server.js';

describe('controller daemon across API server restarts', () => {
  let dataDir: string;
  let port: number;
  let srv: ChildServer;
  let daemon: Daemon;
  let cfg: ReturnType<typeof writeHilCfg>;

  const serve = () => startChildServer({ dataDir, port, extraArgs: ['--auth', 'null', '--watch-timeout', '2'] });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hil-recovery-'));
    port = await freePort();
    srv = await serve();
    cfg = writeHilCfg('500-509');
    daemon = await startDaemon(srv.url, ['--config', cfg.path, '--no-leader-elect', '--resync', '5']);
  });
  after(async () => {
    await daemon?.stop('SIGKILL');
    await srv?.stop('SIGKILL');
    cfg?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (path: string, body: object) => {
    const r = await api(srv.url, 'POST', path, body);
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const vlanOf = (name: string) =>
    until(
      async () => (await api(srv.url, 'GET', `${H}/networks/${name}`)).body?.status?.vlan as number | undefined,
      `network ${name} to get a VLAN`,
      20_000,
      () => daemon.output().slice(-2000),
    );

  test('watches closed by the server every 2-4 s: the daemon keeps up', async () => {
    await post(`${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'first' },
      spec: { owner: '' },
    });
    assert.equal(await vlanOf('first'), 500);
    await new Promise((r) => setTimeout(r, 5_000)); // a few server-side watch closes
    await post(`${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'second' },
      spec: { owner: '' },
    });
    assert.equal(await vlanOf('second'), 501);
    assert.doesNotMatch(daemon.output(), /watch ended with an error/, 'clean closes are not errors');
  });

  test('the API server is SIGKILLed and restarted: informers come back, reconciling goes on', async () => {
    await srv.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500)); // the daemon's watches fail meanwhile
    srv = await serve();
    await until(
      async () => /watch ended with an error; restarting/.test(daemon.output()),
      'the daemon to notice',
      10_000,
    );
    await post(`${H}/projects`, { apiVersion: 'hil.io/v1alpha1', kind: 'Project', metadata: { name: 'p' }, spec: {} });
    await post(`${H}/switches`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Switch',
      metadata: { name: 'sw' },
      spec: { type: 'mock', address: 'recovery-sw' },
    });
    await post(`${H}/ports`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Port',
      metadata: { name: 'sw-p1' },
      spec: { switch: 'sw', interface: 'p1' },
    });
    await post(`${H}/nodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { project: 'p', obm: { type: 'mock', host: 'b' }, nics: [{ name: 'eth0', port: 'sw-p1' }] },
    });
    await post(`${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'third' },
      spec: { owner: 'p' },
    });
    assert.equal(await vlanOf('third'), 502);
    await post(`${H}/networkattachments`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: { name: 'a' },
      spec: { node: 'n1', nic: 'eth0', network: 'third' },
    });
    const a = await until(
      async () => {
        const o = (await api(srv.url, 'GET', `${H}/networkattachments/a`)).body;
        return o?.status?.phase === 'Attached' ? o : undefined;
      },
      'the attachment to be Attached',
      20_000,
      () => daemon.output().slice(-2000),
    );
    assert.equal(a.status.vlan, 502);
    assert.match(await metricsOf(daemon), /hil_reconcile_total\{controller="switch",result="requeue_after"\} \d+/);
  });
});
