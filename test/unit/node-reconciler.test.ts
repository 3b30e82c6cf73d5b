// The node reconciler on fakes (FakeApi as cache and client, the mock OBM driver): power to spec.power with read
// back, drift corrected once with a Warning, observe-only, power cycle once per value (also with a stale cache and
// across a restart), backoff of a failing BMC without calls in between, refused credentials, release (power off,
// maintenance pool, once), and the BMC parallelism limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NodeReconciler } from '../../controllers/node/node-reconciler.js';
import { Controller } from '../../controllers/runtime/controller.js';
import { EventRecorder } from '../../controllers/events.js';
import { createObmRegistry, MockObmDriver, type ObmDriver } from '../../drivers/obm/index.js';
import { FakeApi } from '../support/fake-api.js';

const signal = new AbortController().signal;

function setup(opts: { maintenance?: { project: string }; latencyMs?: number; driver?: ObmDriver } = {}) {
  const api = new FakeApi();
  const mock = new MockObmDriver({ latencyMs: opts.latencyMs ?? 0 });
  let now = 1_000_000;
  const client = api.client();
  const make = () =>
    new NodeReconciler({
      client,
      cache: api,
      obmRegistry: createObmRegistry({ mock, ...(opts.driver ? { counting: opts.driver } : {}) }),
      events: new EventRecorder(client),
      backoffBaseMs: 1_000,
      backoffMaxMs: 8_000,
      maintenance: opts.maintenance,
      now: () => now,
    });
  return { api, mock, r: make(), make, tick: (ms: number) => (now += ms) };
}

const node = (name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'Node',
  metadata: { name, ...((extra.metadata as object) ?? {}) },
  spec: { project: 'p1', obm: { type: 'mock', host: `bmc-${name}` }, ...spec },
  status: { project: 'p1', ...((extra.status as object) ?? {}) },
});
const cond = (api: FakeApi, name: string, type: string) =>
  api.get('nodes', name)!.status?.conditions?.find((c) => c.type === type);

describe('node reconciler', () => {
  test('spec.power On: set, read back, status and one event; a second reconcile changes nothing', async () => {
    const { api, mock, r } = setup();
    api.put('nodes', node('n1', { power: 'On' }));
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').power, 'On');
    assert.equal(api.get('nodes', 'n1')!.status!.power, 'On');
    assert.equal(cond(api, 'n1', 'PowerSynced')!.status, 'True');
    assert.equal(cond(api, 'n1', 'BMCReachable')!.status, 'True');
    assert.deepEqual(
      api.events.map((e) => e.reason),
      ['PoweredOn'],
    );
    const writes = api.totalWrites();
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').counters.powerOn, 1);
    assert.equal(api.totalWrites(), writes, 'no status write when nothing changed');
  });

  test('a node turned off by hand is turned on again, with a PowerDriftCorrected Warning', async () => {
    const { api, mock, r } = setup();
    api.put('nodes', node('n1', { power: 'On' }));
    await r.reconcile({ key: 'n1' }, signal);
    mock.bmc('bmc-n1').power = 'Off';
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').power, 'On');
    assert.deepEqual(
      api.events.map((e) => `${e.type} ${e.reason}`),
      ['Normal PoweredOn', 'Warning PowerDriftCorrected'],
    );
  });

  test('spec.power unset: power is observed, never set', async () => {
    const { api, mock, r } = setup();
    mock.bmc('bmc-n1').power = 'On';
    api.put('nodes', node('n1'));
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(api.get('nodes', 'n1')!.status!.power, 'On');
    assert.equal(cond(api, 'n1', 'PowerSynced')!.reason, 'ObservedOnly');
    mock.bmc('bmc-n1').power = 'Off';
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(api.get('nodes', 'n1')!.status!.power, 'Off');
    assert.equal(mock.bmc('bmc-n1').counters.powerOn + mock.bmc('bmc-n1').counters.powerOff, 0);
  });

  test('power cycle: once per annotation value, also with a stale cache and after a restart', async () => {
    const api = new FakeApi();
    const mock = new MockObmDriver();
    mock.bmc('bmc-n1').power = 'On';
    const before = api.put(
      'nodes',
      node('n1', { power: 'On' }, { metadata: { annotations: { 'hil.io/power-cycle': 't1' } } }),
    );
    let stale = false;
    // The informer may lag behind our own status write: the same reconciler then sees the object from before it.
    const cache = {
      get: (p: any, n: string) => (stale ? structuredClone(before) : api.get(p, n)),
      list: (p: any) => api.list(p),
    } as any;
    const make = () => new NodeReconciler({ client: api.client(), cache, obmRegistry: createObmRegistry({ mock }) });
    const r = make();
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').counters.cycles, 1);
    assert.equal(api.get('nodes', 'n1')!.status!.lastPowerCycle, 't1');
    stale = true;
    await r.reconcile({ key: 'n1' }, signal);
    stale = false;
    await make().reconcile({ key: 'n1' }, signal); // a restart reads status.lastPowerCycle
    assert.equal(mock.bmc('bmc-n1').counters.cycles, 1);
    const cur = api.get('nodes', 'n1')! as any;
    api.put('nodes', { ...cur, metadata: { ...cur.metadata, annotations: { 'hil.io/power-cycle': 't2' } } });
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').counters.cycles, 2);
  });

  test('a cycle requested while spec.power is Off is skipped, with a Warning', async () => {
    const { api, mock, r } = setup();
    api.put('nodes', node('n1', { power: 'Off' }, { metadata: { annotations: { 'hil.io/power-cycle': 't1' } } }));
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').counters.cycles, 0);
    assert.equal(mock.bmc('bmc-n1').power, 'Off');
    assert.ok(api.events.some((e) => e.reason === 'PowerCycleSkipped'));
  });

  test('an unreachable BMC backs off (1 s, 2 s, 4 s…) with no BMC call in between, and one Warning', async () => {
    const { api, mock, r, tick } = setup();
    mock.bmc('bmc-n1').configure({ down: true });
    api.put('nodes', node('n1', { power: 'On' }));
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await r.reconcile({ key: 'n1' }, signal);
      delays.push(res.requeueAfterMs!);
      const calls = mock.bmc('bmc-n1').counters.calls;
      const early = await r.reconcile({ key: 'n1' }, signal); // an event in between
      assert.equal(mock.bmc('bmc-n1').counters.calls, calls, 'no BMC call while backing off');
      assert.ok(early.requeueAfterMs! > 0 && early.requeueAfterMs! <= res.requeueAfterMs!);
      tick(res.requeueAfterMs!);
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000]);
    const c = cond(api, 'n1', 'BMCReachable')!;
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'BMCUnreachable');
    assert.match(c.message ?? '', /attempt 3; next in 4 s/);
    assert.equal(api.get('nodes', 'n1')!.status!.power, 'Unknown');
    assert.equal(api.events.filter((e) => e.reason === 'BMCUnreachable').length, 1);
    mock.bmc('bmc-n1').configure({ down: false });
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(cond(api, 'n1', 'BMCReachable')!.status, 'True');
    assert.equal(mock.bmc('bmc-n1').power, 'On');
  });

  test('refused credentials: AuthenticationFailed; a missing Secret: InvalidConfig naming it', async () => {
    const { api, mock, r } = setup();
    mock.bmc('bmc-n1').configure({ password: 'right' });
    api.secrets.set('hil-system/n1-bmc', { username: 'admin', password: 'pw-Zx91q' });
    api.put('nodes', node('n1', { obm: { type: 'mock', host: 'bmc-n1', credentialsSecretRef: { name: 'n1-bmc' } } }));
    api.put('nodes', node('n2', { obm: { type: 'mock', host: 'bmc-n2', credentialsSecretRef: { name: 'missing' } } }));
    await r.reconcile({ key: 'n1' }, signal);
    await r.reconcile({ key: 'n2' }, signal);
    assert.equal(cond(api, 'n1', 'BMCReachable')!.reason, 'AuthenticationFailed');
    assert.equal(cond(api, 'n2', 'BMCReachable')!.reason, 'InvalidConfig');
    assert.match(cond(api, 'n2', 'BMCReachable')!.message ?? '', /hil-system\/missing/);
    assert.ok(
      !JSON.stringify(api.list('nodes')).includes('pw-Zx91q') && !JSON.stringify(api.events).includes('pw-Zx91q'),
    );
  });

  test('release: power off, once; with a maintenance pool the node moves there, and from there becomes free', async () => {
    const { api, mock, r } = setup({ maintenance: { project: 'maint' } });
    mock.bmc('bmc-n1').power = 'On';
    api.put('nodes', node('n1', { power: 'On', project: '' }));
    await r.reconcile({ key: 'n1' }, signal);
    let n = api.get('nodes', 'n1')!;
    assert.equal(n.spec.project, 'maint');
    assert.equal(n.spec.power, 'Off');
    assert.equal(n.status!.project, 'maint');
    await r.reconcile({ key: 'n1' }, signal);
    assert.equal(mock.bmc('bmc-n1').power, 'Off');
    assert.equal(api.events.filter((e) => e.reason === 'Released').length, 1);
    const cur = api.get('nodes', 'n1')! as any;
    api.put('nodes', { ...cur, spec: { ...cur.spec, project: '' } });
    await r.reconcile({ key: 'n1' }, signal);
    await r.reconcile({ key: 'n1' }, signal);
    n = api.get('nodes', 'n1')!;
    assert.equal(n.spec.project, '');
    assert.equal(n.status!.project, '');
    assert.equal(api.events.filter((e) => e.reason === 'Released').length, 2);
  });

  test("BMCs are driven in parallel, never more than the controller's workers at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const mock = new MockObmDriver({ latencyMs: 10 });
    const counting: ObmDriver = new Proxy(mock, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        if (typeof v !== 'function' || prop === 'openConsole') return v;
        return async (...args: unknown[]) => {
          peak = Math.max(peak, ++inFlight);
          try {
            return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inFlight--;
          }
        };
      },
    });
    const { api, r } = setup({ driver: counting });
    for (let i = 0; i < 24; i++)
      api.put('nodes', node(`n${i}`, { power: 'On', obm: { type: 'counting', host: `bmc-${i}` } }));
    const ctl = new Controller({ name: 'node', reconciler: r, workers: 6 });
    ctl.start();
    for (let i = 0; i < 24; i++) ctl.enqueue(`n${i}`);
    const deadline = Date.now() + 5_000;
    while (api.list('nodes').some((n) => n.status?.power !== 'On') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 10));
    await ctl.stop();
    assert.ok(api.list('nodes').every((n) => n.status?.power === 'On'));
    assert.equal(peak, 6);
  });
});
