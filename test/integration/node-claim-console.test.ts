// Claim and release across projects (HIL's project_connect_node / project_detach_node), with the node controller
// running: a member claims a free node, powers it, and releases it; a member of another project gets 403 for power,
// power cycle, boot device and the console; a release with attachments left is refused (409, naming them); a
// released node is powered off and, with HIL's maintenance pool, moved to the maintenance project (and the pool's
// URL is told). Node spec.metadata is settable by admins only, readable by the project.
// Then the serial console end to end: ipmi_sim's SOL (its serial port a TCP socket the test writes to), read through
// GET nodes/NAME/console?follow=true by two readers sharing one SOL session, and by `hilctl node console`; the
// session stops when the last reader leaves.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdminUser, createToken } from '../../apiserver/admin-tasks.js';
import { packageRoot } from '../../common/paths.js';
import { createLogger } from '../../common/logging.js';
import { parseVlanList } from '../../api/v1alpha1/vlans.js';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { ConsoleHub, createObmRegistry, IpmiObmDriver, MockObmDriver } from '../../drivers/obm/index.js';
import { H, sleep, until } from '../support/controllers.js';
import { startIpmiSims, type IpmiSims, type SimBmc } from '../support/ipmi-sim.js';
import { callers, startInProcessServer, TSX_LOADER, type InProcessServer } from '../support/server.js';

const MERGE = 'application/merge-patch+json';
type Caller = 'admin' | 'alice' | 'bob' | 'anon';
const PW: Record<string, string> = { admin: 'root-password', alice: 'alice-password', bob: 'bob-password' };
const auth = (c: Caller): Record<string, string> =>
  c === 'anon'
    ? {}
    : { authorization: `Basic ${Buffer.from(`${c === 'admin' ? 'root' : c}:${PW[c]}`).toString('base64')}` };
const obj = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});

/** Reads a streaming GET until `until` matches the text or the time is up; returns the text and a close. */
function stream(url: string, path: string, headers: Record<string, string>) {
  let text = '';
  let status = 0;
  let ended = false;
  const req = http.get(`${url}${path}`, { headers }, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => (ended = true));
    res.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  return { text: () => text, status: () => status, ended: () => ended, close: () => req.destroy() };
}

describe('claim, release and console across projects', () => {
  let srv: InProcessServer;
  let sims: IpmiSims;
  let bmc: SimBmc;
  let running: RunningControllers;
  let hub: ConsoleHub;
  let pool: http.Server;
  const told: unknown[] = [];
  const mock = new MockObmDriver();
  const ipmi = new IpmiObmDriver({ retries: 1 });

  const { as, must: mustResponse } = callers<Caller>(() => srv.url, auth);
  const must = async (c: Caller, method: string, path: string, body?: unknown, ct?: string) =>
    (await mustResponse(c, method, path, body, ct)).body;
  const status = async (c: Caller, method: string, path: string, body?: unknown, ct?: string) =>
    (await as(c, method, path, body, ct)).status;
  const node = (name: string) => must('admin', 'GET', `${H}/nodes/${name}`);

  before(async () => {
    pool = http.createServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        told.push(JSON.parse(b));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => pool.listen(0, '127.0.0.1', () => r()));
    const registry = createObmRegistry({ mock, ipmi });
    hub = new ConsoleHub(registry);
    [sims, srv] = await Promise.all([
      startIpmiSims(1, { prefix: 'console' }),
      startInProcessServer({ auth: 'database', console: hub }),
    ]);
    bmc = sims.bmcs[0]!;
    await createAdminUser(srv.store, 'root', 'root-password');
    for (const p of ['p1', 'p2', 'maint']) await must('admin', 'POST', `${H}/projects`, obj('Project', p, {}));
    for (const [u, p] of [
      ['alice', 'p1'],
      ['bob', 'p2'],
    ] as const) {
      await must('admin', 'POST', `${H}/users`, obj('User', u, { projects: [p] }));
      await must('admin', 'PUT', `${H}/users/${u}/password`, { password: PW[u] });
    }
    await must('admin', 'POST', '/api/v1/namespaces/hil-system/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bmc-console' },
      stringData: { username: bmc.username, password: bmc.password },
    });
    await must('admin', 'POST', `${H}/switches`, obj('Switch', 'sw1', { type: 'mock', address: 'claim-sw1' }));
    await must('admin', 'POST', `${H}/ports`, obj('Port', 'port-1', { switch: 'sw1', interface: 'gi1/0/1' }));
    await must(
      'admin',
      'POST',
      `${H}/nodes`,
      obj('Node', 'free1', { obm: { type: 'mock', host: 'bmc-free1' }, nics: [{ name: 'eth0', port: 'port-1' }] }),
    );
    await must(
      'admin',
      'POST',
      `${H}/nodes`,
      obj('Node', 'con1', {
        project: 'p1',
        obm: { type: 'ipmi', host: bmc.host, port: bmc.port, credentialsSecretRef: { name: 'bmc-console' } },
      }),
    );
    await must('admin', 'POST', `${H}/networks`, obj('Network', 'net1', { owner: 'p1' }));
    const { token } = await createToken(srv.store, 'root', 3600);
    running = startControllers({
      kubeConfig: kubeConfigFor(srv.url, token),
      resyncMs: 1_000,
      pool: parseVlanList('300-310'),
      logger: createLogger(process.env.HIL_TEST_LOG_LEVEL ?? 'error', 'controllers'),
      nodes: {
        obmRegistry: registry,
        maintenance: { project: 'maint', url: `http://127.0.0.1:${(pool.address() as AddressInfo).port}/wipe` },
      },
    });
  });
  after(async () => {
    await running?.stop();
    await hub?.close();
    await srv?.stop();
    await sims?.stop();
    pool?.close();
  });

  test('a member claims a free node and powers it; a member of another project gets 403 for power, cycle, boot and console', async () => {
    await must('alice', 'PATCH', `${H}/nodes/free1`, { spec: { project: 'p1' } }, MERGE);
    assert.equal(await status('bob', 'PATCH', `${H}/nodes/free1`, { spec: { project: 'p2' } }, MERGE), 403);
    assert.equal(await status('bob', 'PATCH', `${H}/nodes/free1`, { spec: { power: 'On' } }, MERGE), 403);
    assert.equal(await status('bob', 'PATCH', `${H}/nodes/free1`, { spec: { bootDevice: 'pxe' } }, MERGE), 403);
    assert.equal(
      await status(
        'bob',
        'PATCH',
        `${H}/nodes/free1`,
        { metadata: { annotations: { 'hil.io/power-cycle': 'now' } } },
        MERGE,
      ),
      403,
    );
    assert.equal(await status('bob', 'GET', `${H}/nodes/free1/console`), 403);
    assert.equal(await status('bob', 'GET', `${H}/nodes/con1/console?follow=true`), 403);
    assert.equal(await status('anon', 'GET', `${H}/nodes/con1/console`), 401);
    assert.equal(await status('bob', 'GET', `${H}/nodes/free1`), 403, "another project's node is not readable");
    await must('alice', 'PATCH', `${H}/nodes/free1`, { spec: { power: 'On', bootDevice: 'pxe' } }, MERGE);
    await until(
      async () => mock.bmc('bmc-free1').power === 'On' && mock.bmc('bmc-free1').boot === 'pxe',
      'free1 On, pxe',
    );
    await must(
      'alice',
      'PATCH',
      `${H}/nodes/free1`,
      { metadata: { annotations: { 'hil.io/power-cycle': 'c1' } } },
      MERGE,
    );
    await until(async () => mock.bmc('bmc-free1').counters.cycles === 1, 'free1 cycled once');
  });

  test('spec.metadata: admins set it, the project reads it, members cannot change it', async () => {
    assert.equal(
      await status('alice', 'PATCH', `${H}/nodes/free1`, { spec: { metadata: { rack: 'r9' } } }, MERGE),
      403,
    );
    await must('admin', 'PATCH', `${H}/nodes/free1`, { spec: { metadata: { rack: 'r1', gpu: 'none' } } }, MERGE);
    assert.deepEqual((await must('alice', 'GET', `${H}/nodes/free1`)).spec.metadata, { rack: 'r1', gpu: 'none' });
  });

  test('release with attachments is refused (409, naming them); a release powers the node off and moves it to the maintenance pool', async () => {
    await must(
      'alice',
      'POST',
      `${H}/networkattachments`,
      obj('NetworkAttachment', 'free1-eth0-net1', { node: 'free1', nic: 'eth0', network: 'net1' }),
    );
    const refused = await as('alice', 'PATCH', `${H}/nodes/free1`, { spec: { project: '' } }, MERGE);
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /free1-eth0-net1/);
    await must('alice', 'DELETE', `${H}/networkattachments/free1-eth0-net1`);
    await until(
      async () => (await as('admin', 'GET', `${H}/networkattachments/free1-eth0-net1`)).status === 404,
      'the attachment to go',
      20_000,
      async () => JSON.stringify((await as('admin', 'GET', `${H}/networkattachments/free1-eth0-net1`)).body),
    );
    await must('alice', 'PATCH', `${H}/nodes/free1`, { spec: { project: '' } }, MERGE);
    const moved = await until(async () => {
      const n = await node('free1');
      return n.spec.project === 'maint' && n.status?.project === 'maint' ? n : undefined;
    }, 'free1 moved to the maintenance project');
    assert.equal(moved.spec.power, 'Off');
    await until(async () => mock.bmc('bmc-free1').power === 'Off', 'free1 powered off');
    await until(async () => told.length === 1, 'the maintenance URL told');
    assert.deepEqual(told, [{ node: 'free1' }]);
    assert.equal(await status('alice', 'GET', `${H}/nodes/free1`), 403, 'no longer readable by p1');
    // The wiper (an admin) releases it from the maintenance project: now free, not moved again.
    await must('admin', 'PATCH', `${H}/nodes/free1`, { spec: { project: '' } }, MERGE);
    await until(async () => (await node('free1')).status?.project === '', 'free1 free');
    await sleep(500);
    assert.equal((await node('free1')).spec.project, '');
    assert.equal(told.length, 1);
    const events = (await must('admin', 'GET', '/api/v1/namespaces/default/events')).items.filter(
      (e: any) => e.involvedObject.name === 'free1' && e.reason === 'Released',
    );
    assert.equal(events.length, 2);
  });

  test('console end to end: ipmi_sim SOL, two readers share one session, hilctl node console, stopped when the last leaves', async () => {
    const solProcesses = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('sol activate') && l.includes(`-p ${bmc.port} `)).length;
    const alice = stream(srv.url, `${H}/nodes/con1/console?follow=true`, auth('alice'));
    await until(
      async () => alice.status() === 200 && bmc.serialConnected(),
      'alice connected and ipmi_sim on the serial port',
    );
    // Until SOL is up, what is written may be lost: write until it shows.
    await until(
      async () => {
        bmc.serial('boot: hello from con1\r\n');
        await sleep(200);
        return alice.text().includes('hello from con1');
      },
      'console output through SOL',
      15_000,
    );
    const admin = stream(srv.url, `${H}/nodes/con1/console?follow=true`, auth('admin'));
    await until(async () => admin.text().includes('hello from con1'), 'the second reader gets the output so far');
    bmc.serial('login: second line\r\n');
    await until(
      async () => alice.text().includes('second line') && admin.text().includes('second line'),
      'both readers get live output',
    );
    assert.equal(hub.sessions().length, 1);
    assert.equal(solProcesses(), 1, 'one SOL session for two readers');

    // hilctl node console, as the member.
    const cli = spawn(
      process.execPath,
      ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hilctl.ts'), 'node', 'console', 'con1'],
      {
        env: {
          ...process.env,
          HOME: '/nonexistent',
          KUBECONFIG: '',
          HIL_ENDPOINT: srv.url,
          HIL_USERNAME: 'alice',
          HIL_PASSWORD: PW.alice,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    cli.stdout.on('data', (d) => (out += d));
    cli.stderr.on('data', (d) => (err += d));
    await until(
      async () => out.includes('second line'),
      'hilctl shows the output so far',
      20_000,
      () => err,
    );
    bmc.serial('third line via hilctl\r\n');
    await until(
      async () => out.includes('third line via hilctl'),
      'hilctl follows',
      10_000,
      () => err,
    );
    cli.kill('SIGTERM');
    alice.close();
    admin.close();
    await until(
      async () => hub.sessions().length === 0 && solProcesses() === 0,
      'the SOL session to stop when the last reader leaves',
      10_000,
    );
    // Without follow: what was seen, then the end.
    const r = await as('alice', 'GET', `${H}/nodes/con1/console`);
    assert.equal(r.status, 200);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    assert.match(text, /third line via hilctl/);
    // And a new reader gets a fresh session.
    const again = stream(srv.url, `${H}/nodes/con1/console?follow=true`, auth('alice'));
    await until(
      async () => {
        bmc.serial('fourth line\r\n');
        await sleep(200);
        return again.text().includes('fourth line');
      },
      'a fresh session',
      15_000,
    );
    again.close();
    await until(async () => hub.sessions().length === 0, 'stopped again');
  });
});
