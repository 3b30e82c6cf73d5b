// Table-driven tests of the switch reconciler on the mock driver and an in-memory API (test/support/fake-api.ts):
// desired × observed port states, allow-list refusals, pause, per-port and whole-switch failures with visible
// backoff, hangs that do not slow other switches, finalizers of deleted attachments, drift — and, counted with the
// mock's counters, exactly one session, one apply and one save per switch per batch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SwitchReconciler } from '../../controllers/switch/switch-reconciler.js';
import { EventRecorder } from '../../controllers/events.js';
import { FINALIZER_PORT_REVERT } from '../../controllers/finalizers.js';
import {
  createRegistry,
  MockSwitchDriver,
  type MockDriverOptions,
  type MockSwitch,
} from '../../drivers/switch/index.js';
import { FakeApi } from '../support/fake-api.js';

interface World {
  api: FakeApi;
  sw: MockSwitch;
  driver: MockSwitchDriver;
  reconciler: SwitchReconciler;
  clock: { t: number };
  run(name?: string): Promise<{ requeueAfterMs?: number }>;
  phase(att: string): string | undefined;
  cond(
    plural: 'networkattachments' | 'ports' | 'switches',
    name: string,
    type: string,
  ): { status: string; reason: string; message?: string } | undefined;
  attach(name: string, node: string, network: string, channel?: 'native' | 'tagged'): void;
}

/** A switch "sw1" (mock) with ports p1..p4 cabled to nodes n1..n4; networks red=101, green=102, far=300. */
function world(
  opts: {
    vlanRange?: string[];
    paused?: boolean;
    capabilities?: MockDriverOptions['capabilities'];
    extraPorts?: string[];
    backoffBaseMs?: number;
    driverTimeoutMs?: number;
    credentials?: boolean;
    undefinedOptions?: boolean;
    burst?: { on: boolean };
    requeue?: (name: string, afterMs: number) => void;
  } = {},
): World {
  const api = new FakeApi();
  const driver = new MockSwitchDriver({ capabilities: opts.capabilities });
  const clock = { t: 1_800_000_000_000 };
  api.put('switches', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Switch',
    metadata: { name: 'sw1', ...(opts.paused ? { annotations: { 'hil.io/paused': 'true' } } : {}) },
    spec: {
      type: 'mock',
      address: 'sw1',
      maxSessions: 1,
      ...(opts.vlanRange ? { vlanRange: opts.vlanRange } : {}),
      ...(opts.credentials ? { credentialsSecretRef: { name: 'sw1-creds', namespace: 'hil-system' } } : {}),
    },
  });
  for (let i = 1; i <= 4; i++) {
    api.put('ports', { kind: 'Port', metadata: { name: `sw1-p${i}` }, spec: { switch: 'sw1', interface: `p${i}` } });
    api.put('nodes', {
      kind: 'Node',
      metadata: { name: `n${i}` },
      spec: { project: 'p', obm: { type: 'mock', host: 'b' }, nics: [{ name: 'eth0', port: `sw1-p${i}` }] },
    });
  }
  for (const [name, vlan] of [
    ['red', 101],
    ['green', 102],
    ['far', 300],
  ] as const) {
    api.put('networks', { kind: 'Network', metadata: { name }, spec: { owner: 'p' }, status: { vlan } });
  }
  const sw = driver.fabric.switch('sw1', { ports: ['p1', 'p2', 'p3', 'p4', ...(opts.extraPorts ?? [])] });
  const client = api.client();
  const reconciler = new SwitchReconciler({
    client,
    cache: api,
    driverRegistry: createRegistry({ mock: driver }),
    events: new EventRecorder(client),
    resyncMs: 60_000,
    backoffBaseMs: opts.backoffBaseMs ?? 1_000,
    driverTimeoutMs: opts.driverTimeoutMs ?? 5_000,
    ...(opts.burst ? { burstOngoing: () => opts.burst!.on } : {}),
    ...(opts.requeue ? { requeue: opts.requeue } : {}),
    // As the daemon passes its flags through, set or not: undefined must mean "the default".
    ...(opts.undefinedOptions
      ? {
          resyncMs: undefined,
          backoffBaseMs: undefined,
          backoffMaxMs: undefined,
          driverTimeoutMs: undefined,
          statusConcurrency: undefined,
        }
      : {}),
    now: () => clock.t,
  });
  return {
    api,
    sw,
    driver,
    reconciler,
    clock,
    // A pass and the writes that trail it (Port and Switch statuses, Events): what the daemon shows a moment later.
    run: async (name = 'sw1') => {
      const r = await reconciler.reconcile({ key: name }, new AbortController().signal);
      await reconciler.settled();
      return r;
    },
    phase: (att) => api.get('networkattachments', att)?.status?.phase,
    cond: (plural, name, type) =>
      (api.get(plural, name)?.status?.conditions ?? []).find((c: { type: string }) => c.type === type),
    attach: (name, node, network, channel = 'native') =>
      api.put('networkattachments', {
        kind: 'NetworkAttachment',
        metadata: { name, finalizers: [FINALIZER_PORT_REVERT] },
        spec: { node, nic: 'eth0', network, channel },
      }),
  };
}

type PortState = { native?: number; tagged?: number[]; parked?: boolean };
const st = (sw: MockSwitch, p: string): PortState => {
  const s = sw.port(p);
  return s.parked ? { parked: true } : { native: s.native, tagged: s.tagged };
};

describe('switch reconciler: desired × observed (one reconcile each)', () => {
  const cases: {
    name: string;
    attachments?: [name: string, node: string, network: string, channel?: 'native' | 'tagged'][];
    /** Hand-set port states before the reconcile. */
    before?: Record<string, { native?: number; tagged?: number[]; parked?: boolean; anomaly?: string }>;
    after: Record<string, PortState>;
    /** Ports written by the one apply. */
    written: number;
    phases?: Record<string, string>;
  }[] = [
    {
      name: 'nothing attached, every port parked: read only, nothing written',
      after: { p1: { parked: true }, p4: { parked: true } },
      written: 0,
    },
    {
      name: 'one native attachment: its port gets the VLAN untagged',
      attachments: [['a1', 'n1', 'red']],
      after: { p1: { native: 101, tagged: [] }, p2: { parked: true } },
      written: 1,
      phases: { a1: 'Attached' },
    },
    {
      name: 'native + tagged on one NIC: a trunk',
      attachments: [
        ['a1', 'n1', 'red'],
        ['a2', 'n1', 'green', 'tagged'],
      ],
      after: { p1: { native: 101, tagged: [102] } },
      written: 1,
      phases: { a1: 'Attached', a2: 'Attached' },
    },
    {
      name: 'tagged only',
      attachments: [['a1', 'n2', 'green', 'tagged']],
      after: { p2: { native: undefined, tagged: [102] } },
      written: 1,
      phases: { a1: 'Attached' },
    },
    {
      name: 'already in the desired state: nothing written',
      attachments: [['a1', 'n1', 'red']],
      before: { p1: { native: 101 } },
      after: { p1: { native: 101, tagged: [] } },
      written: 0,
      phases: { a1: 'Attached' },
    },
    {
      name: 'a leftover VLAN on a port with no attachment is reverted (parked)',
      before: { p3: { native: 555 } },
      after: { p3: { parked: true } },
      written: 1,
    },
    {
      name: 'a port in a state outside the model (anomaly) is rewritten',
      attachments: [['a1', 'n4', 'red']],
      before: { p4: { native: 101, anomaly: 'trunk with empty trunks carries every VLAN' } },
      after: { p4: { native: 101, tagged: [] } },
      written: 1,
    },
    {
      name: 'a wrong VLAN is replaced; other ports untouched',
      attachments: [
        ['a1', 'n1', 'red'],
        ['a2', 'n2', 'green'],
      ],
      before: { p1: { native: 102 }, p2: { native: 102 } },
      after: { p1: { native: 101, tagged: [] }, p2: { native: 102, tagged: [] } },
      written: 1,
    },
    {
      name: 'four ports at once: still one session, one apply, one save',
      attachments: [
        ['a1', 'n1', 'red'],
        ['a2', 'n2', 'red'],
        ['a3', 'n3', 'green'],
        ['a4', 'n4', 'green', 'tagged'],
      ],
      after: {
        p1: { native: 101, tagged: [] },
        p2: { native: 101, tagged: [] },
        p3: { native: 102, tagged: [] },
        p4: { native: undefined, tagged: [102] },
      },
      written: 4,
      phases: { a1: 'Attached', a4: 'Attached' },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const w = world();
      for (const [name, node, net, ch] of c.attachments ?? []) w.attach(name, node, net, ch);
      for (const [p, s] of Object.entries(c.before ?? {})) w.sw.setPort(p, { tagged: [], ...s });
      await w.run();
      for (const [p, s] of Object.entries(c.after)) assert.deepEqual(st(w.sw, p), s, `port ${p}`);
      const k = w.sw.counters;
      assert.equal(k.sessionsOpened, 1, 'one session');
      assert.equal(k.reads, 1, 'one read of every port');
      assert.equal(k.portsWritten, c.written, 'only the ports that differ are written');
      assert.equal(k.applies, c.written ? 1 : 0, 'one apply per batch');
      assert.equal(k.saves, c.written ? 1 : 0, 'one save per batch (none when nothing changed)');
      for (const [a, ph] of Object.entries(c.phases ?? {})) assert.equal(w.phase(a), ph, `attachment ${a}`);
      assert.equal(w.cond('switches', 'sw1', 'Ready')?.status, 'True');
      assert.equal(
        w.api.events.filter((e) => e.reason === 'PortConfigured').length,
        c.written,
        'an Event per port changed',
      );
    });
  }

  test('a port with no Port object is never touched', async () => {
    const w = world({ extraPorts: ['x9'] });
    w.sw.setPort('x9', { native: 777, tagged: [] });
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.deepEqual(st(w.sw, 'x9'), { native: 777, tagged: [] });
    assert.ok(!w.sw.log.some((e) => e.ports?.includes('x9')), 'x9 was neither read nor written');
  });

  test('statuses settle: a second reconcile with nothing new opens no session and writes nothing', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    await w.run();
    const writes = w.api.totalWrites();
    const r = await w.run();
    assert.equal(w.sw.counters.sessionsOpened, 1);
    assert.equal(w.sw.counters.reads, 1, 'no read either: nothing differs and no resync is due');
    assert.equal(w.api.totalWrites(), writes, 'no status rewritten');
    assert.ok(r.requeueAfterMs! > 0 && r.requeueAfterMs! <= 60_000, 'next: the periodic resync');
    const port = w.api.get('ports', 'sw1-p1')!;
    assert.equal(port.status?.nativeVlan, 101);
    assert.equal(w.cond('ports', 'sw1-p1', 'InSync')?.status, 'True');
    const s = w.api.get('switches', 'sw1')!.status!;
    assert.equal(s.failedSyncAttempts, 0);
    assert.ok(s.lastSyncTime && s.nextSyncTime && typeof s.lastSyncDuration === 'number');
  });
});

describe('switch reconciler: refusals, pause, credentials', () => {
  test('a VLAN outside the switch vlanRange is refused with a condition and never sent', async () => {
    const w = world({ vlanRange: ['100-199'] });
    w.attach('ok', 'n1', 'red');
    w.attach('bad', 'n2', 'far'); // VLAN 300
    await w.run();
    assert.equal(w.phase('ok'), 'Attached');
    assert.equal(w.phase('bad'), 'Failed');
    const c = w.cond('networkattachments', 'bad', 'Ready')!;
    assert.equal(c.reason, 'VlanNotAllowed');
    assert.match(c.message!, /VLAN 300 .* outside the vlanRange of switch "sw1" \(100-199\)/);
    assert.deepEqual(st(w.sw, 'p2'), { parked: true });
    assert.ok(!w.sw.log.some((e) => e.op === 'apply' && e.ports?.includes('p2')));
  });

  test('tagged on a switch that cannot trunk is refused (Unsupported), the native one goes through', async () => {
    const w = world({ capabilities: { trunk: false } });
    w.attach('n', 'n1', 'red');
    w.attach('t', 'n1', 'green', 'tagged');
    await w.run();
    assert.equal(w.phase('n'), 'Attached');
    assert.equal(w.phase('t'), 'Failed');
    assert.equal(w.cond('networkattachments', 't', 'Ready')!.reason, 'Unsupported');
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
  });

  test('hil.io/paused: the switch is read, never written; statuses say why', async () => {
    const w = world({ paused: true });
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.equal(w.sw.counters.reads, 1, 'reads continue');
    assert.equal(w.sw.counters.applies, 0, 'no writes');
    assert.equal(w.sw.counters.saves, 0);
    assert.deepEqual(st(w.sw, 'p1'), { parked: true });
    assert.equal(w.phase('a1'), 'Pending');
    assert.equal(w.cond('networkattachments', 'a1', 'Ready')!.reason, 'Paused');
    assert.equal(w.cond('switches', 'sw1', 'Ready')!.reason, 'Paused');
    assert.equal(w.cond('ports', 'sw1-p1', 'InSync')!.status, 'False');
    // Unpaused: written on the next reconcile.
    const sw = w.api.get('switches', 'sw1')!;
    w.api.put('switches', { ...sw, metadata: { ...sw.metadata, annotations: {} } });
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    assert.equal(w.phase('a1'), 'Attached');
  });

  test('credentials come from the Secret; a wrong password is an auth failure (Reachable=False)', async () => {
    const w = world({ credentials: true });
    w.sw.configure({ password: 's3cret' });
    w.api.secrets.set('hil-system/sw1-creds', { username: 'admin', password: 'wrong' });
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.equal(w.cond('switches', 'sw1', 'Reachable')!.status, 'False');
    assert.equal(w.cond('switches', 'sw1', 'Reachable')!.reason, 'AuthenticationFailed');
    w.api.secrets.set('hil-system/sw1-creds', { username: 'admin', password: 's3cret' });
    w.clock.t += 10_000;
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.cond('switches', 'sw1', 'Reachable')!.status, 'True');
  });
});

describe('switch reconciler: failures and backoff', () => {
  test('an unreachable switch backs off exponentially, visibly (failedSyncAttempts, nextSyncTime), then recovers', async () => {
    const w = world({ backoffBaseMs: 1_000 });
    w.attach('a1', 'n1', 'red');
    w.sw.inject({ op: 'login', code: 'unreachable', message: 'connection refused', times: 3 });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await w.run();
      delays.push(r.requeueAfterMs!);
      const s = w.api.get('switches', 'sw1')!.status!;
      assert.equal(s.failedSyncAttempts, i + 1);
      assert.equal(
        Date.parse(s.nextSyncTime!),
        Math.floor((w.clock.t + r.requeueAfterMs!) / 1000) * 1000,
        'nextSyncTime shows the retry',
      );
      // An event in between does not defeat the backoff: no login before nextSyncTime.
      const logins = w.sw.counters.loginFailures;
      const early = await w.run();
      assert.equal(w.sw.counters.loginFailures, logins, 'no attempt before nextSyncTime');
      assert.ok(early.requeueAfterMs! > 0 && early.requeueAfterMs! <= r.requeueAfterMs!);
      w.clock.t += r.requeueAfterMs!;
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000]);
    assert.equal(w.cond('switches', 'sw1', 'Reachable')!.reason, 'SwitchUnreachable');
    assert.match(w.cond('switches', 'sw1', 'Ready')!.message!, /connection refused/);
    assert.equal(w.phase('a1'), 'Pending');
    assert.equal(w.cond('networkattachments', 'a1', 'Ready')!.reason, 'SwitchUnreachable');
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.api.get('switches', 'sw1')!.status!.failedSyncAttempts, 0);
    assert.equal(w.cond('switches', 'sw1', 'Ready')!.status, 'True');
  });

  test('options passed as undefined keep their defaults: a failing switch still says so, with a real retry time', async () => {
    const w = world({ undefinedOptions: true });
    w.attach('a1', 'n1', 'red');
    w.sw.inject({ op: 'login', code: 'unreachable', message: 'connection refused', times: 1 });
    const r = await w.run();
    assert.equal(r.requeueAfterMs, 1_000, 'the default backoff base');
    const s = w.api.get('switches', 'sw1')!.status!;
    assert.equal(s.failedSyncAttempts, 1);
    assert.ok(Number.isFinite(Date.parse(s.nextSyncTime!)), `nextSyncTime ${s.nextSyncTime}`);
    assert.equal(w.cond('switches', 'sw1', 'Reachable')!.reason, 'SwitchUnreachable');
    w.clock.t += 1_000;
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
  });

  test('what is asked while the switch logs in, and while a batch is written, goes into the same batch and the same save', async () => {
    const burst = { on: true };
    const w = world({ burst });
    w.attach('a1', 'n1', 'red');
    const open = w.driver.open.bind(w.driver);
    w.driver.open = async (config) => {
      const session = await open(config);
      // During the login (seconds on a real switch) another attachment arrives and the burst ends.
      w.attach('a2', 'n2', 'green');
      burst.on = false;
      const apply = session.apply.bind(session);
      let first = true;
      return Object.assign(session, {
        apply: async (changes: Parameters<typeof apply>[0]) => {
          const results = await apply(changes);
          // While the first batch was being written, one more.
          if (first) w.attach('a3', 'n3', 'far', 'tagged');
          first = false;
          return results;
        },
      });
    };
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    assert.deepEqual(st(w.sw, 'p2'), { native: 102, tagged: [] }, 'asked during the login');
    assert.deepEqual(st(w.sw, 'p3'), { native: undefined, tagged: [300] }, 'asked during the batch');
    assert.deepEqual(
      [w.sw.counters.sessionsOpened, w.sw.counters.applies, w.sw.counters.saves],
      [1, 2, 1],
      'one session, the second apply only for what came later, one save',
    );
    assert.deepEqual(['a1', 'a2', 'a3'].map(w.phase), ['Attached', 'Attached', 'Attached'], 'all reported at once');
  });

  test('mid-burst passes apply without saving, statuses or Events; the pass after the burst saves once and reports all', async () => {
    const burst = { on: true };
    const w = world({ burst });
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] }, 'applied at once');
    assert.equal(w.sw.counters.saves, 0);
    assert.equal(w.phase('a1'), undefined, 'no status before the save');
    const reads = w.sw.counters.reads;
    w.attach('a2', 'n2', 'green');
    await w.run();
    assert.deepEqual(st(w.sw, 'p2'), { native: 102, tagged: [] });
    assert.equal(w.sw.counters.reads, reads, 'mid-burst, the ports this burst already read are not read again');
    assert.equal(w.sw.counters.saves, 0);
    assert.equal(w.api.events.length, 0, 'Events wait for the end of the burst');
    // Nothing new mid-burst: no session work at all.
    const commands = w.sw.counters.commands;
    await w.run();
    assert.equal(w.sw.counters.commands, commands);
    burst.on = false;
    await w.run();
    assert.equal(w.sw.counters.saves, 1, 'one save for the whole burst');
    assert.equal(w.sw.counters.sessionsOpened, 1, 'one session');
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.phase('a2'), 'Attached');
    assert.equal(
      w.api.events.filter((e) => e.reason === 'PortConfigured').length,
      2,
      'an Event per port changed in the burst',
    );
  });

  test('a burst that never ends still saves and reports, once its first change has waited maxDeferMs (1 s)', async () => {
    const w = world({ burst: { on: true } });
    w.attach('a1', 'n1', 'red');
    await w.run();
    w.clock.t += 999;
    w.attach('a2', 'n2', 'green');
    await w.run();
    assert.equal(w.sw.counters.saves, 0, 'still deferring');
    w.clock.t += 1;
    w.attach('a3', 'n3', 'far');
    await w.run();
    assert.equal(w.sw.counters.saves, 1, 'saved although events keep coming');
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.phase('a2'), 'Attached');
  });

  test('changes applied mid-burst stay owed a save through a failure, and the next success saves them', async () => {
    const burst = { on: true };
    const w = world({ burst });
    w.attach('a1', 'n1', 'red');
    await w.run();
    burst.on = false;
    w.sw.inject({ op: 'read', code: 'unreachable', message: 'connection reset', times: 1 });
    const r = await w.run();
    assert.equal(w.sw.counters.saves, 0);
    assert.notEqual(w.phase('a1'), 'Attached');
    w.clock.t += r.requeueAfterMs!;
    await w.run();
    assert.equal(w.sw.counters.saves, 1, 'the change made before the failure is saved');
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.api.events.filter((e) => e.reason === 'PortConfigured').length, 1, 'its Event is not lost either');
  });

  test("one port refused by the switch: that attachment is Failed with the switch's message, the others go through in the same batch", async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    w.attach('a2', 'n2', 'red');
    w.attach('a3', 'n3', 'green');
    w.sw.inject({ op: 'apply', port: 'p2', code: 'failed', message: '% Invalid input detected at p2' });
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.phase('a3'), 'Attached');
    assert.equal(w.phase('a2'), 'Failed');
    assert.match(w.cond('networkattachments', 'a2', 'Ready')!.message!, /Invalid input detected at p2/);
    assert.equal(w.sw.counters.applies, 1);
    assert.equal(w.sw.counters.saves, 1);
    // Retried on the next sync and then fine.
    w.clock.t += 61_000;
    await w.run();
    assert.equal(w.phase('a2'), 'Attached');
  });

  test('a hung switch times out and backs off without slowing another switch', async () => {
    const w = world({ driverTimeoutMs: 300 });
    w.api.put('switches', { kind: 'Switch', metadata: { name: 'sw2' }, spec: { type: 'mock', address: 'sw2' } });
    w.api.put('ports', { kind: 'Port', metadata: { name: 'sw2-p1' }, spec: { switch: 'sw2', interface: 'q1' } });
    w.api.put('nodes', {
      kind: 'Node',
      metadata: { name: 'm1' },
      spec: { project: 'p', obm: { type: 'mock', host: 'b' }, nics: [{ name: 'eth0', port: 'sw2-p1' }] },
    });
    w.attach('a1', 'n1', 'red');
    w.attach('b1', 'm1', 'green');
    w.sw.inject({ op: 'read', kind: 'hang' });
    const t0 = performance.now();
    let healthyDone = 0;
    await Promise.all([w.run('sw1'), w.run('sw2').then(() => (healthyDone = performance.now() - t0))]);
    assert.ok(healthyDone < 150, `the healthy switch finished in ${healthyDone.toFixed(0)} ms while the other hung`);
    assert.equal(w.phase('b1'), 'Attached');
    assert.equal(w.cond('switches', 'sw1', 'Ready')!.reason, 'Timeout');
    assert.equal(w.api.get('switches', 'sw1')!.status!.failedSyncAttempts, 1);
    assert.equal(w.sw.counters.hangs, 1);
  });
});

describe('switch reconciler: finalizers and drift', () => {
  test('a deleted attachment keeps its finalizer until its port is reverted, then goes', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    w.api.delete('networkattachments', 'a1');
    assert.ok(w.api.get('networkattachments', 'a1'), 'held by hil.io/port-revert');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { parked: true }, 'reverted first');
    assert.equal(w.api.get('networkattachments', 'a1'), undefined, 'then released');
  });

  test('a deleted attachment on a paused switch waits (Detaching)', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    await w.run();
    const sw = w.api.get('switches', 'sw1')!;
    w.api.put('switches', { ...sw, metadata: { ...sw.metadata, annotations: { 'hil.io/paused': 'true' } } });
    w.api.delete('networkattachments', 'a1');
    w.clock.t += 61_000;
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    assert.equal(w.phase('a1'), 'Detaching');
  });

  test('a deleted Port goes only after its switch port is reverted and read back reverted', async () => {
    const w = world();
    await w.run();
    assert.ok(
      w.api.get('ports', 'sw1-p1')!.metadata.finalizers?.includes(FINALIZER_PORT_REVERT),
      'Ports created before the server added it get it',
    );
    w.sw.setPort('p1', { native: 666, tagged: [] }); // left on it by hand, or by a crash
    w.api.delete('ports', 'sw1-p1');
    const first = await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { parked: true }, 'reverted, although no resync was due');
    assert.ok(w.api.get('ports', 'sw1-p1'), 'still held: the revert is not read back yet');
    assert.equal(first.requeueAfterMs, 10, 'and read back at once');
    await w.run();
    assert.equal(w.api.get('ports', 'sw1-p1'), undefined, 'read back reverted: the Port is gone');
    assert.ok(w.api.get('ports', 'sw1-p2'), 'the others stay');
  });

  test('a deleted Port on a paused switch waits; a deleted Port of a switch that does not exist goes', async () => {
    const w = world({ paused: true });
    await w.run();
    w.sw.setPort('p1', { native: 666, tagged: [] });
    w.api.delete('ports', 'sw1-p1');
    w.clock.t += 61_000;
    await w.run();
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 666, tagged: [] }, 'no writes while paused');
    assert.ok(w.api.get('ports', 'sw1-p1'), 'so the Port stays');
    w.api.put('ports', {
      kind: 'Port',
      metadata: { name: 'ghost-p1', finalizers: [FINALIZER_PORT_REVERT] },
      spec: { switch: 'ghost', interface: 'p1' },
    });
    w.api.delete('ports', 'ghost-p1');
    await w.run('ghost');
    assert.equal(w.api.get('ports', 'ghost-p1'), undefined);
  });

  test('drift made by hand is corrected on the next resync, with a DriftCorrected event', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    await w.run();
    w.sw.setPort('p1', { native: 7, tagged: [] }); // someone at the console
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 7, tagged: [] }, 'not before the resync is due');
    w.clock.t += 60_000;
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    const e = w.api.events.find((x) => x.reason === 'DriftCorrected');
    assert.equal(e?.message, 'port p1 of switch sw1 had native 7 by hand; restored native 101');
    assert.equal(w.sw.counters.sessionsOpened, 1, 'the session was kept across batches');
  });

  test('after a restart (no memory), drift is still recognised from the Port status', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    await w.run();
    w.sw.setPort('p1', { native: 8, tagged: [] });
    const fresh = new SwitchReconciler({
      client: w.api.client(),
      cache: w.api,
      driverRegistry: createRegistry({ mock: w.driver }),
      events: new EventRecorder(w.api.client()),
    });
    await fresh.reconcile({ key: 'sw1' }, new AbortController().signal);
    await fresh.settled();
    assert.deepEqual(st(w.sw, 'p1'), { native: 101, tagged: [] });
    assert.ok(w.api.events.some((x) => x.reason === 'DriftCorrected' && x.message.includes('had native 8 by hand')));
    await fresh.close();
  });
});

describe('switch reconciler: trailing writes', () => {
  const within = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error(`${what} within ${ms} ms`)), ms))]);

  test('a pass returns once its attachments are Attached; Port statuses and Events follow without holding the next pass', async () => {
    const w = world();
    const release = w.api.holdStatus('ports'); // a slow API server for the informational writes
    const pass = () => w.reconciler.reconcile({ key: 'sw1' }, new AbortController().signal);
    w.attach('a1', 'n1', 'red');
    await within(pass(), 2_000, 'the first pass returns');
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.cond('ports', 'sw1-p1', 'InSync'), undefined, 'its Port status is still on its way');
    w.attach('a2', 'n2', 'green');
    await within(pass(), 2_000, 'the second pass returns, though the first one’s Port statuses are held');
    assert.equal(w.phase('a2'), 'Attached');
    assert.equal(w.api.events.length, 0, 'Events come after the Port statuses');
    release();
    await w.reconciler.settled();
    for (const p of ['sw1-p1', 'sw1-p2']) assert.equal(w.cond('ports', p, 'InSync')?.status, 'True', p);
    assert.equal(w.api.get('ports', 'sw1-p2')!.status!.nativeVlan, 102);
    assert.equal(w.cond('switches', 'sw1', 'Ready')?.status, 'True');
    assert.deepEqual(
      w.api.events.map((e) => `${e.name} ${e.reason}`),
      ['sw1-p1 PortConfigured', 'sw1-p2 PortConfigured'],
      'in the order of the passes',
    );
    await w.reconciler.close();
  });

  test('a trailing write that fails asks for another pass, which writes it', async () => {
    const requeued: [string, number][] = [];
    const w = world({ requeue: (name, ms) => requeued.push([name, ms]) });
    w.api.failingStatus.set('ports', 1);
    w.attach('a1', 'n1', 'red');
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
    assert.deepEqual(requeued, [['sw1', 1_000]], 'again after the base backoff');
    assert.notEqual(w.cond('ports', 'sw1-p1', 'InSync')?.status, 'True');
    await w.run();
    assert.equal(w.cond('ports', 'sw1-p1', 'InSync')?.status, 'True');
    assert.equal(w.sw.counters.saves, 1, 'the switch itself was not written again');
    await w.reconciler.close();
  });
});

describe('switch reconciler: conflicts', () => {
  test('a conflict (the port changed between read and write) is retried at once, not counted as a failure', async () => {
    const w = world();
    w.attach('a1', 'n1', 'red');
    w.sw.inject({ op: 'apply', code: 'conflict', message: 'port p1 changed since it was read' });
    const r = await w.run();
    assert.ok(r.requeueAfterMs! <= 10, `retried at once (${r.requeueAfterMs} ms)`);
    assert.equal(w.api.get('switches', 'sw1')?.status?.failedSyncAttempts ?? 0, 0);
    await w.run();
    assert.equal(w.phase('a1'), 'Attached');
    assert.equal(w.sw.counters.sessionsOpened, 1, 'the session was kept');
  });
});

describe("switch reconciler: a VLAN reaches a port only while the node's project may use the network", () => {
  // Found by the chaos run (hack/chaos.ts, seed 2): an admin's attachment of a beta node to alpha's network was
  // admitted (the access rule is an authorization rule for project members) and put on the port; a revoke while
  // attached left the VLAN on the port. On a real cluster no admission of ours runs at all, so the reconciler checks.
  test("another project's network: Failed NoAccess, the port stays parked", async () => {
    const w = world();
    w.api.put('networks', {
      kind: 'Network',
      metadata: { name: 'theirs' },
      spec: { owner: 'q' },
      status: { vlan: 150 },
    });
    w.attach('a1', 'n1', 'theirs');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { parked: true });
    assert.equal(w.phase('a1'), 'Failed');
    const c = w.cond('networkattachments', 'a1', 'Ready');
    assert.equal(c?.reason, 'NoAccess');
    assert.match(c?.message ?? '', /project "p" of node "n1" may not use network "theirs"/);
  });

  test('access granted later: attached; revoked again: the port is reverted', async () => {
    const w = world();
    w.api.put('networks', {
      kind: 'Network',
      metadata: { name: 'theirs' },
      spec: { owner: 'q', accessProjects: ['p'] },
      status: { vlan: 150 },
    });
    w.attach('a1', 'n1', 'theirs');
    w.attach('a2', 'n2', 'red');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 150, tagged: [] });
    assert.equal(w.phase('a1'), 'Attached');
    w.api.put('networks', {
      kind: 'Network',
      metadata: { name: 'theirs' },
      spec: { owner: 'q', accessProjects: [] },
      status: { vlan: 150 },
    });
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { parked: true }, 'revoked: the VLAN leaves the port');
    assert.deepEqual(st(w.sw, 'p2'), { native: 101, tagged: [] }, 'other ports untouched');
    assert.equal(w.phase('a1'), 'Failed');
  });

  test('a public network and a node in no project', async () => {
    const w = world();
    w.api.put('networks', {
      kind: 'Network',
      metadata: { name: 'pub' },
      spec: { owner: '', public: true },
      status: { vlan: 160 },
    });
    w.api.put('nodes', {
      kind: 'Node',
      metadata: { name: 'n3' },
      spec: { project: '', obm: { type: 'mock', host: 'b' }, nics: [{ name: 'eth0', port: 'sw1-p3' }] },
    });
    w.attach('a1', 'n1', 'pub');
    w.attach('a3', 'n3', 'pub');
    await w.run();
    assert.deepEqual(st(w.sw, 'p1'), { native: 160, tagged: [] });
    assert.deepEqual(st(w.sw, 'p3'), { parked: true });
    assert.match(w.cond('networkattachments', 'a3', 'Ready')?.message ?? '', /node "n3" is in no project/);
  });
});
