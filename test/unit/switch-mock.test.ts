// The mock switch driver: its knobs (latency, failures, hangs, session limit), counters and determinism.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import { MockSwitchDriver } from '../../drivers/switch/mock/mock-driver.js';
import { expandPortList, MockFabric } from '../../drivers/switch/mock/mock-switch.js';
import { parkedChange } from '../../drivers/switch/port-state.js';
import type { PortChange } from '../../drivers/switch/switch-driver.js';

async function rejects(p: Promise<unknown>, code: string): Promise<SwitchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SwitchError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

const access = (p: string, v: number): PortChange => ({ interface: p, native: v, tagged: [] });

describe('mock switch driver', () => {
  test('state outlives sessions; counters count sessions, commands and saves', async () => {
    const d = new MockSwitchDriver();
    const s1 = await d.open({ address: 'sw1' });
    assert.deepEqual(
      (await s1.apply([access('gi1/0/1', 10), access('gi1/0/2', 11), parkedChange('gi1/0/3')])).map((r) => r.changed),
      [true, true, false],
    );
    await s1.save();
    await s1.close();
    const s2 = await d.open({ address: 'sw1' });
    assert.equal((await s2.readPorts(['gi1/0/1']))[0].native, 10);
    await s2.close();
    const c = d.fabric.switch('sw1').counters;
    assert.deepEqual(
      {
        opened: c.sessionsOpened,
        closed: c.sessionsClosed,
        active: c.activeSessions,
        commands: c.commands,
        written: c.portsWritten,
        saves: c.saves,
        applies: c.applies,
        reads: c.reads,
      },
      { opened: 2, closed: 2, active: 0, commands: 3, written: 2, saves: 1, applies: 1, reads: 1 },
    );
    assert.deepEqual(
      d.fabric.switch('sw1').log.map((e) => e.op),
      ['login', 'apply', 'save', 'close', 'login', 'read', 'close'],
    );
  });

  test('latency knobs: login, per command (one per changed port, one per read) and save', async () => {
    const d = new MockSwitchDriver({ knobs: { loginLatencyMs: 40, commandLatencyMs: 5, saveLatencyMs: 30 } });
    const t0 = performance.now();
    const s = await d.open({ address: 'slow' });
    const tLogin = performance.now() - t0;
    const t1 = performance.now();
    await s.apply(Array.from({ length: 8 }, (_, i) => access(`gi1/0/${i + 1}`, 100)));
    const tApply = performance.now() - t1;
    const t2 = performance.now();
    await s.apply(Array.from({ length: 8 }, (_, i) => access(`gi1/0/${i + 1}`, 100))); // no change: no commands
    const tNoop = performance.now() - t2;
    const t3 = performance.now();
    await s.save();
    const tSave = performance.now() - t3;
    await s.close();
    assert.ok(tLogin >= 38, `login ${tLogin}`);
    assert.ok(tApply >= 38, `8 commands of 5 ms took ${tApply}`);
    assert.ok(tNoop < 10, `an apply with nothing to change sends nothing (${tNoop} ms)`);
    assert.ok(tSave >= 28, `save ${tSave}`);
  });

  test('options from Switch.spec.options set the knobs (strings), and the port list', async () => {
    const d = new MockSwitchDriver();
    const s = await d.open({
      address: 'opt',
      options: {
        loginLatencyMs: '1-3',
        commandLatencyMs: '2',
        saveLatencyMs: '0',
        seed: '7',
        sessionLimit: '2',
        ports: 'gi1/0/1-4,te1/0/1',
      },
    });
    const sw = d.fabric.switch('opt');
    assert.deepEqual(sw.knobs.loginLatencyMs, [1, 3]);
    assert.equal(sw.knobs.commandLatencyMs, 2);
    assert.deepEqual(sw.portNames(), ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'gi1/0/4', 'te1/0/1']);
    const err = await rejects(s.readPorts(['gi1/0/5']), 'unknown-port');
    assert.deepEqual(err.ports, ['gi1/0/5']);
    await s.close();
    await rejects(d.open({ address: 'opt', options: { loginLatencyMs: '5;x' } }), 'invalid');
    await rejects(d.open({ address: 'opt', options: { failureProbability: '2' } }), 'invalid');
    assert.deepEqual(expandPortList('x1-3,y'), ['x1', 'x2', 'x3', 'y']);
  });

  test('scripted faults: a failed login, a failed save, one port failing mid-batch while the others go through', async () => {
    const d = new MockSwitchDriver();
    const sw = d.fabric.switch('f');
    sw.inject({ op: 'login', code: 'auth', message: 'bad password' });
    await rejects(d.open({ address: 'f' }), 'auth');
    assert.equal(sw.counters.loginFailures, 1);
    assert.equal(sw.counters.activeSessions, 0);

    const s = await d.open({ address: 'f' });
    sw.inject({ op: 'apply', port: 'gi1/0/2', message: 'VLAN 12 does not exist' });
    const results = await s.apply([access('gi1/0/1', 11), access('gi1/0/2', 12), access('gi1/0/3', 13)]);
    assert.deepEqual(
      results.map((r) => [r.changed, r.error?.message]),
      [
        [true, undefined],
        [false, 'VLAN 12 does not exist'],
        [true, undefined],
      ],
    );
    assert.equal(sw.port('gi1/0/2').parked, true, 'the failed port was not written');
    sw.inject({ op: 'save', times: 2 });
    await rejects(s.save(), 'failed');
    await rejects(s.save(), 'failed');
    await s.save();
    sw.inject({ op: 'read', code: 'unreachable' });
    await rejects(s.readPorts(['gi1/0/1']), 'unreachable');
    assert.equal(sw.counters.failures, 5); // login, one port, two saves, one read
    await s.close();
  });

  test('a hang never answers: the call times out, the session closes, queued calls are refused', async () => {
    const d = new MockSwitchDriver();
    const sw = d.fabric.switch('h');
    const s = await d.open({ address: 'h', timeoutMs: 150 });
    sw.inject({ op: 'read', kind: 'hang' });
    const t0 = performance.now();
    const hung = s.readPorts(['gi1/0/1']);
    const queued = s.apply([access('gi1/0/1', 5)]);
    await rejects(hung, 'timeout');
    assert.ok(performance.now() - t0 >= 140);
    await rejects(queued, 'closed');
    await rejects(s.save(), 'closed');
    assert.equal(sw.counters.hangs, 1);
    assert.equal(sw.counters.activeSessions, 0, 'a timed-out session is released');
    assert.equal(sw.port('gi1/0/1').parked, true, 'the queued apply never ran');
  });

  test('a hang mid-batch: ports before it are written, the rest are not (a controller killed mid-batch looks like this)', async () => {
    const d = new MockSwitchDriver();
    const sw = d.fabric.switch('hm');
    const s = await d.open({ address: 'hm', timeoutMs: 100 });
    sw.inject({ op: 'apply', port: 'gi1/0/3', kind: 'hang' });
    await rejects(s.apply([1, 2, 3, 4].map((i) => access(`gi1/0/${i}`, 50))), 'timeout');
    assert.deepEqual(
      [1, 2, 3, 4].map((i) => sw.port(`gi1/0/${i}`).native),
      [50, 50, undefined, undefined],
    );
  });

  test('a hung login times out too', async () => {
    const d = new MockSwitchDriver();
    d.fabric.switch('hl').inject({ op: 'login', kind: 'hang' });
    await rejects(d.open({ address: 'hl', timeoutMs: 50 }), 'timeout');
    assert.equal(d.fabric.switch('hl').counters.activeSessions, 0);
  });

  test('close() rejects the call in flight and is idempotent', async () => {
    const d = new MockSwitchDriver({ knobs: { commandLatencyMs: 200 } });
    const s = await d.open({ address: 'c' });
    const p = s.readPorts(['gi1/0/1']);
    await s.close();
    await s.close();
    await rejects(p, 'closed');
    assert.equal(d.fabric.switch('c').counters.sessionsClosed, 1);
  });

  test('sessionLimit refuses logins beyond it; maxActiveSessions records the peak', async () => {
    const d = new MockSwitchDriver({ knobs: { sessionLimit: 2 } });
    const a = await d.open({ address: 'l' });
    const b = await d.open({ address: 'l' });
    await rejects(d.open({ address: 'l' }), 'unreachable');
    await a.close();
    const c = await d.open({ address: 'l' });
    assert.equal(d.fabric.switch('l').counters.maxActiveSessions, 2);
    await b.close();
    await c.close();
  });

  test('a required password: wrong or missing credentials are refused with auth', async () => {
    const d = new MockSwitchDriver();
    d.fabric.switch('pw').configure({ password: 's3cret;#' });
    await rejects(d.open({ address: 'pw' }), 'auth');
    await rejects(d.open({ address: 'pw', credentials: { username: 'admin', password: 'nope' } }), 'auth');
    await (await d.open({ address: 'pw', credentials: { username: 'admin', password: 's3cret;#' } })).close();
  });

  test('failureProbability with a seed is deterministic, and different seeds differ', async () => {
    async function run(seed: number): Promise<string> {
      const d = new MockSwitchDriver({ knobs: { failureProbability: 0.3, seed } });
      const outcomes: string[] = [];
      for (let round = 0; round < 5; round++) {
        try {
          const s = await d.open({ address: 'rand' });
          const res = await s.apply(Array.from({ length: 10 }, (_, i) => access(`gi1/0/${i + 1}`, 100 + round)));
          outcomes.push(res.map((r) => (r.error ? 'x' : r.changed ? '+' : '=')).join(''));
          await s.close();
        } catch (err) {
          outcomes.push(`!${(err as SwitchError).code}`);
        }
      }
      return outcomes.join(' ');
    }
    const a = await run(42);
    assert.equal(await run(42), a);
    assert.match(a, /x/, 'some failures at p=0.3');
    assert.notEqual(await run(43), a);
  });

  test('latency ranges are drawn from the seed, reproducibly', () => {
    const f1 = new MockFabric({ commandLatencyMs: [10, 20], seed: 5 });
    const f2 = new MockFabric({ commandLatencyMs: [10, 20], seed: 5 });
    const draw = (f: MockFabric) =>
      Array.from({ length: 5 }, () => f.switch('a').latency(f.switch('a').knobs.commandLatencyMs));
    const d1 = draw(f1);
    assert.deepEqual(draw(f2), d1);
    assert.ok(d1.every((v) => v >= 10 && v <= 20));
  });

  test('setPort is drift: readPorts shows it and apply corrects it; the fabric sums counters', async () => {
    const d = new MockSwitchDriver();
    const s = await d.open({ address: 'd1' });
    await s.apply([access('gi1/0/1', 10)]);
    d.fabric.switch('d1').setPort('gi1/0/1', { native: 99 });
    assert.equal((await s.readPorts(['gi1/0/1']))[0].native, 99);
    d.fabric.switch('d1').setPort('gi1/0/2', { anomaly: 'carries every VLAN' });
    const [o] = await s.readPorts(['gi1/0/2']);
    assert.equal(o.anomaly, 'carries every VLAN');
    assert.deepEqual(
      (await s.apply([access('gi1/0/1', 10), parkedChange('gi1/0/2')])).map((r) => r.changed),
      [true, true],
    );
    await s.close();
    const s2 = await d.open({ address: 'd2' });
    await s2.apply([access('gi1/0/1', 10)]);
    await s2.close();
    assert.equal(d.fabric.totals().portsWritten, 4);
    assert.equal(d.fabric.totals().sessionsOpened, 2);
  });

  test('a mock that models an access-only switch that parks by shutdown', async () => {
    const d = new MockSwitchDriver({ capabilities: { trunk: false, nativelessTrunk: false, parking: 'shutdown' } });
    assert.equal(d.capabilities().defaultParkingVlan, undefined);
    const s = await d.open({ address: 'ao' });
    assert.equal(s.parkingVlan, undefined);
    await rejects(s.apply([{ interface: 'gi1/0/1', native: 10, tagged: [11] }]), 'unsupported');
    const [o] = await s.readPorts(['gi1/0/1']);
    assert.equal(o.parked, true);
    assert.equal(o.shutdown, true);
    await s.close();
  });
});
