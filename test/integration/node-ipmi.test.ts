// The node controller against real BMCs: OpenIPMI's ipmi_sim (one per node, each its own UDP port and state),
// driven by real ipmitool through the ipmi OBM driver, with the controllers in-process against our API server.
// Power on/off, drift made by hand with ipmitool and corrected, power cycle once per annotation value (also across
// a controller restart), boot device, wrong credentials, a BMC down (backoff, others not held up), and no password
// in logs, Events, argv or `ps`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import winston from 'winston';
import { kubeConfigFor, startControllers, type RunningControllers } from '../../controllers/daemon.js';
import { createObmRegistry, IpmiObmDriver } from '../../drivers/obm/index.js';
import { H, sleep, until } from '../support/controllers.js';
import { startIpmiSims, type IpmiSims, type SimBmc } from '../support/ipmi-sim.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const MERGE = 'application/merge-patch+json';

describe('node controller against ipmi_sim (real ipmitool)', () => {
  let srv: InProcessServer;
  let sims: IpmiSims;
  let running: RunningControllers | undefined;
  const argvs: string[][] = [];
  const logLines: string[] = [];
  let b1: SimBmc, b2: SimBmc, b3: SimBmc;

  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _enc, cb) {
            logLines.push(String(chunk));
            cb();
          },
        }),
      }),
    ],
  });
  const driver = new IpmiObmDriver({
    retries: 1,
    timeoutSeconds: 1,
    callTimeoutMs: 5_000,
    onSpawn: (a) => argvs.push([...a]),
  });
  const start = () =>
    startControllers({
      kubeConfig: kubeConfigFor(srv.url),
      resyncMs: 1_000,
      logger,
      nodes: {
        obmRegistry: createObmRegistry({ ipmi: driver }),
        backoffBaseMs: 500,
        backoffMaxMs: 2_000,
        cycleGraceMs: 3_000,
      },
    });
  const must = async (method: string, path: string, body?: unknown, ct?: string) => {
    const r = await api(srv.url, method, path, body, ct);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const node = async (name: string) => (await api(srv.url, 'GET', `${H}/nodes/${name}`)).body;
  const cond = (n: any, type: string) => n.status?.conditions?.find((c: any) => c.type === type);
  const events = async (name: string) =>
    (await must('GET', '/api/v1/namespaces/default/events')).items
      .filter((e: any) => e.involvedObject.name === name)
      .map((e: any) => `${e.reason}: ${e.message}`) as string[];
  const patchNode = (name: string, body: object) => must('PATCH', `${H}/nodes/${name}`, body, MERGE);
  const secret = (name: string, username: string, password: string) =>
    must('POST', '/api/v1/namespaces/hil-system/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name },
      stringData: { username, password },
    });
  const mkNode = (name: string, b: SimBmc, secretName: string, spec: object = {}) =>
    must('POST', `${H}/nodes`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Node',
      metadata: { name },
      spec: { obm: { type: 'ipmi', host: b.host, port: b.port, credentialsSecretRef: { name: secretName } }, ...spec },
    });

  before(async () => {
    [sims, srv] = await Promise.all([startIpmiSims(3), startInProcessServer()]);
    [b1, b2, b3] = sims.bmcs as [SimBmc, SimBmc, SimBmc];
    for (const [i, b] of sims.bmcs.entries()) await secret(`bmc-${i + 1}`, b.username, b.password);
    await secret('bmc-wrong', 'admin', 'not-the-password');
    await mkNode('n1', b1, 'bmc-1');
    await mkNode('n2', b2, 'bmc-2');
    await mkNode('n3', b3, 'bmc-wrong', { power: 'On' });
    running = start();
  });
  after(async () => {
    await running?.stop();
    await srv?.stop();
    await sims?.stop();
  });

  test('spec.power On turns the BMC on; status.power and PowerSynced say so', async () => {
    assert.equal(b1.power(), '0');
    await patchNode('n1', { spec: { power: 'On' } });
    const n = await until(async () => {
      const x = await node('n1');
      return x.status?.power === 'On' && cond(x, 'PowerSynced')?.status === 'True' ? x : undefined;
    }, 'n1 On');
    assert.equal(b1.power(), '1');
    assert.equal(cond(n, 'BMCReachable').status, 'True');
    assert.ok((await events('n1')).some((e) => e.startsWith('PoweredOn')));
  });

  test('a node turned off by hand is turned on again, with a PowerDriftCorrected Event', async () => {
    const opsBefore = b1.ops().length;
    await b1.ipmitool('chassis', 'power', 'off');
    await until(
      async () => b1.ops().slice(opsBefore).join(',') === 'power 0,power 1' && b1.power() === '1',
      'the controller to turn n1 on again',
      10_000,
      () => b1.ops().join(','),
    );
    await until(
      async () => (await events('n1')).some((e) => e.startsWith('PowerDriftCorrected')),
      'a PowerDriftCorrected event',
    );
  });

  test('with spec.power unset, power is only observed', async () => {
    await until(async () => (await node('n2')).status?.power === 'Off', 'n2 observed Off');
    await b2.ipmitool('chassis', 'power', 'on');
    await until(async () => (await node('n2')).status?.power === 'On', 'n2 observed On after a change by hand');
    await sleep(1_500);
    assert.deepEqual(b2.ops(), ['power 1'], 'the controller changed nothing');
    assert.equal(cond(await node('n2'), 'PowerSynced').reason, 'ObservedOnly');
  });

  test('power cycle: once per hil.io/power-cycle value, also across a controller restart', async () => {
    const opsBefore = b1.ops().length;
    await patchNode('n1', { metadata: { annotations: { 'hil.io/power-cycle': '2026-11-25T15:00:00Z' } } });
    await until(
      async () => (await node('n1')).status?.lastPowerCycle === '2026-11-25T15:00:00Z',
      'lastPowerCycle recorded',
    );
    // ipmi_sim's cycle: off, then on about a second later.
    await until(
      async () => b1.ops().slice(opsBefore).join(',') === 'power 0,power 1',
      'the cycle to complete',
      10_000,
      () => b1.ops().join(','),
    );
    assert.ok((await events('n1')).some((e) => e.startsWith('PowerCycled')));
    await running!.stop();
    running = start();
    await sleep(3_000);
    assert.deepEqual(b1.ops().slice(opsBefore), ['power 0', 'power 1'], 'no second cycle after the restart');
    assert.equal(b1.power(), '1');
  });

  test('boot device: pxe, then disk, set persistently', async () => {
    await patchNode('n1', { spec: { bootDevice: 'pxe' } });
    await until(async () => b1.boot() === 'pxe', 'boot pxe on the BMC');
    await patchNode('n1', { spec: { bootDevice: 'disk' } });
    await until(
      async () => /Hard-Drive/.test(await b1.ipmitool('chassis', 'bootparam', 'get', '5')),
      'boot from disk on the BMC',
    );
    assert.ok(argvs.some((a) => a.join(' ').endsWith('chassis bootdev disk options=persistent')));
  });

  test('wrong credentials: BMCReachable False with reason AuthenticationFailed', async () => {
    const c = await until(async () => cond(await node('n3'), 'BMCReachable'), 'n3 BMCReachable');
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'AuthenticationFailed');
    assert.match(c.message, /refused the credentials/);
    assert.equal((await node('n3')).status.power, 'Unknown');
    assert.equal(b3.ops().length, 0, 'nothing was done on that BMC');
  });

  test('a BMC down backs off, and does not hold up other nodes', async () => {
    await b2.stop();
    await patchNode('n2', { spec: { power: 'Off' } });
    // (A call in flight when the BMC died may fail differently; the next ones find nobody there.)
    const down = await until(
      async () => {
        const c = cond(await node('n2'), 'BMCReachable');
        return c?.status === 'False' && c.reason === 'BMCUnreachable' ? c : undefined;
      },
      'n2 unreachable',
      15_000,
      async () => JSON.stringify(cond(await node('n2'), 'BMCReachable')),
    );
    assert.match(down.message, /no answer from the BMC/);
    // Meanwhile another node is served at once.
    const t0 = Date.now();
    await patchNode('n1', { spec: { power: 'Off' } });
    await until(async () => b1.power() === '0', 'n1 Off while n2 is down', 5_000);
    assert.ok(Date.now() - t0 < 4_000);
    // Backoff: few attempts in 5 s (each ipmitool attempt waits ~1 s for an answer; backoff 0.5, 1, 2, 2 s).
    await sleep(5_000);
    const attempts = Number(/attempt (\d+)/.exec(cond(await node('n2'), 'BMCReachable').message)?.[1]);
    assert.ok(attempts >= 2 && attempts <= 6, `attempts: ${attempts}`);
    await b2.start();
    await until(
      async () => {
        const x = await node('n2');
        return cond(x, 'BMCReachable')?.status === 'True' && x.status.power === 'Off';
      },
      'n2 back and Off',
      15_000,
    );
  });

  test('no password in logs, Events, ipmitool argv or ps output', async () => {
    // A long-running ipmitool (a SOL session) for ps to see.
    const sol = driver.openConsole({
      host: b1.host,
      port: b1.port,
      credentials: { username: b1.username, password: b1.password },
    });
    const ps = await until(async () => {
      const out = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      return out.split('\n').find((l) => l.includes('sol activate') && l.includes(`-p ${b1.port}`));
    }, 'ipmitool sol activate in ps');
    await sol.close();
    assert.match(ps, / -E /);
    const passwords = [...sims.bmcs.map((b) => b.password), 'not-the-password'];
    const ev = JSON.stringify(await must('GET', '/api/v1/namespaces/default/events'));
    const nodes = JSON.stringify(await must('GET', `${H}/nodes`));
    assert.ok(argvs.length > 10 && logLines.length > 0);
    for (const p of passwords) {
      assert.ok(!ps.includes(p), 'password in ps');
      assert.ok(!argvs.some((a) => a.join(' ').includes(p)), 'password in argv');
      assert.ok(!logLines.some((l) => l.includes(p)), 'password in logs');
      assert.ok(!ev.includes(p), 'password in events');
      assert.ok(!nodes.includes(p), 'password in nodes');
    }
  });
});
