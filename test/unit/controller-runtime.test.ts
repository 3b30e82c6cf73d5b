// controllers/runtime on its own: the work queue (dedup, never two workers on one key, backoff, requeueAfter,
// priorities), the Controller's result handling, and leader election against an in-memory Lease store with a fake
// clock (takeover only after the lease expires, renew deadline, release on shutdown, one leader at a time).
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { Batcher } from '../../controllers/runtime/batcher.js';
import { DeviceBackoff } from '../../controllers/runtime/backoff.js';
import { Limiter } from '../../controllers/runtime/limiter.js';
import { Controller } from '../../controllers/runtime/controller.js';
import { LeaderElector, type LeaseObject, type LeaseStore } from '../../controllers/runtime/leader-election.js';
import { ControllerMetrics } from '../../controllers/runtime/metrics.js';
import { TerminalError, type Reconciler } from '../../controllers/runtime/reconciler.js';
import { ExponentialBackoff, WorkQueue } from '../../controllers/runtime/workqueue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  test('a key added many times while waiting is handed out once', async () => {
    const q = new WorkQueue();
    for (let i = 0; i < 5; i++) q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  test('a key being processed is not handed to a second worker; re-added, it comes back after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a'); // an event while a worker holds it
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while in flight');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await sleep(10);
    assert.equal(second, undefined, 'no second worker gets it');
    q.done('a');
    await sleep(0);
    assert.equal(second, 'a', 'handed out again, once, after done()');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  test('exponential backoff per key: 5 ms, 10 ms, 20 ms … capped at ~16 min; forget() resets it', () => {
    const b = new ExponentialBackoff();
    assert.deepEqual(
      [1, 2, 3, 4].map(() => b.when('k')),
      [5, 10, 20, 40],
    );
    assert.equal(b.when('other'), 5, 'per key');
    assert.equal(b.delayFor(100), 1_000_000, 'capped at 1000 s');
    b.forget('k');
    assert.equal(b.when('k'), 5);
  });

  test('addRateLimited waits the backoff; addAfter keeps the earliest time', async () => {
    const q = new WorkQueue({ baseDelayMs: 30 });
    q.addRateLimited('a'); // 30 ms
    assert.equal(q.len(), 0);
    await sleep(50);
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    q.addAfter('b', 200);
    q.addAfter('b', 20); // earlier wins
    q.addAfter('b', 500);
    await sleep(60);
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'b');
    q.done('b');
    await sleep(200);
    assert.equal(q.len(), 0, 'the later timers were folded into the earliest');
  });

  test('low-priority keys (resyncs) never go ahead of event-driven ones; an event upgrades a queued resync', async () => {
    const q = new WorkQueue();
    q.add('resync-1', 'low');
    q.add('resync-2', 'low');
    q.add('event');
    q.add('resync-2'); // an event for a key waiting as a resync
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['event', 'resync-2', 'resync-1']);
  });

  test('shutDown wakes waiting workers with undefined', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('x');
    assert.equal(await q.get(), undefined);
  });
});

describe('DeviceBackoff (fake clock)', () => {
  test('base × 2^(n-1) capped; waits only while the delay runs; a reset starts over; keys are independent', () => {
    const clock = { t: 0 };
    const b = new DeviceBackoff({ baseMs: 1_000, maxMs: 8_000, now: () => clock.t });
    assert.equal(b.waiting('sw1'), 0);
    assert.deepEqual(b.failed('sw1'), { failures: 1, delayMs: 1_000 });
    assert.deepEqual(b.failed('sw1'), { failures: 2, delayMs: 2_000 });
    assert.equal(b.waiting('sw1'), 2_000);
    assert.equal(b.waiting('sw2'), 0, 'per key');
    clock.t += 2_000;
    assert.equal(b.waiting('sw1'), 0);
    for (let i = 0; i < 5; i++) b.failed('sw1');
    assert.equal(b.delayFor(b.failures('sw1')), 8_000, 'capped');
    b.reset('sw1');
    assert.equal(b.failures('sw1'), 0);
    assert.deepEqual(b.failed('sw1'), { failures: 1, delayMs: 1_000 });
  });
});

describe('Batcher (fake clock)', () => {
  // One ms at a time: Node 20's tick(n) runs due timers with the clock already at the end of the step.
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i++) mock.timers.tick(1);
  };
  // Each row: event times (ms) for key "sw"; the times the key is passed on.
  const cases: { name: string; events: number[]; fired: number[] }[] = [
    { name: 'a lone event goes out after the quiet time', events: [0], fired: [20] },
    {
      name: 'a burst with gaps under the quiet time goes out once, after the last event',
      events: [0, 10, 20, 30, 40],
      fired: [60],
    },
    {
      name: 'a steady stream goes out at the max wait, then again',
      events: Array.from({ length: 70 }, (_, i) => i * 10),
      fired: [100, 200, 300, 400, 500, 600, 700],
    },
    { name: 'two bursts apart go out separately', events: [0, 5, 100, 105], fired: [25, 125] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
      try {
        const fired: number[] = [];
        const b = new Batcher({ quietMs: 20, maxWaitMs: 100, fire: () => fired.push(Date.now()) });
        let t = 0;
        for (const at of c.events) {
          advance(at - t);
          t = at;
          b.add('sw');
        }
        advance(1000);
        assert.deepEqual(fired, c.fired);
        assert.equal(b.size, 0);
      } finally {
        mock.timers.reset();
      }
    });
  }

  test('keys are batched independently, and clear() drops what waits', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    try {
      const fired: string[] = [];
      const b = new Batcher({ quietMs: 20, maxWaitMs: 100, fire: (k) => fired.push(`${k}@${Date.now()}`) });
      b.add('a');
      advance(10);
      b.add('b');
      advance(15);
      assert.deepEqual(fired, ['a@20']);
      b.add('c');
      b.clear();
      advance(100);
      assert.deepEqual(fired, ['a@20']);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('Limiter', () => {
  test('never more than its concurrency at once; waiting high-priority work starts before waiting low', async () => {
    const l = new Limiter(2);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await sleep(5);
      running--;
    };
    // Two low jobs take both slots; then lows and highs queue: every high must start before the queued lows.
    const all = [
      l.run('low', job('low1')),
      l.run('low', job('low2')),
      l.run('low', job('low3')),
      l.run('high', job('high1')),
      l.run('low', job('low4')),
      l.run('high', job('high2')),
    ];
    assert.deepEqual(l.queued, { high: 2, low: 2 });
    await Promise.all(all);
    assert.equal(most, 2);
    assert.deepEqual(order, ['low1', 'low2', 'high1', 'high2', 'low3', 'low4']);
  });

  test('forEach runs every item even when some fail, then throws the first failure', async () => {
    const l = new Limiter(3);
    const done: number[] = [];
    await assert.rejects(
      l.forEach('high', [1, 2, 3, 4, 5], async (i) => {
        await sleep(1);
        if (i === 2 || i === 4) throw new Error(`item ${i} failed`);
        done.push(i);
      }),
      /item 2 failed/,
    );
    assert.deepEqual(done.sort(), [1, 3, 5]);
    assert.throws(() => new Limiter(0), /at least 1/);
  });
});

describe('Controller', () => {
  test('never two reconciles of one key at once, keys in parallel, requeueAfter and retries with metrics', async () => {
    const running = new Map<string, number>();
    let maxSameKey = 0;
    let maxParallel = 0;
    const calls: string[] = [];
    let failOnce = true;
    const r: Reconciler = {
      async reconcile({ key }) {
        calls.push(key);
        running.set(key, (running.get(key) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, running.get(key)!);
        maxParallel = Math.max(
          maxParallel,
          [...running.values()].reduce((a, b) => a + b, 0),
        );
        await sleep(20);
        running.set(key, running.get(key)! - 1);
        if (key === 'flaky' && failOnce) {
          failOnce = false;
          throw new Error('boom');
        }
        if (key === 'bad') throw new TerminalError('never');
        if (key === 'periodic' && calls.filter((c) => c === 'periodic').length < 3) return { requeueAfterMs: 30 };
        return {};
      },
    };
    const metrics = new ControllerMetrics();
    const c = new Controller({ name: 't', reconciler: r, workers: 4, metrics });
    for (let i = 0; i < 10; i++) c.enqueue('a');
    c.enqueue('b');
    c.enqueue('flaky');
    c.enqueue('bad');
    c.enqueue('periodic');
    c.start();
    await sleep(30);
    c.enqueue('a'); // while a runs: once more, after it
    await sleep(300);
    await c.stop();
    assert.equal(maxSameKey, 1, 'one key never runs twice at once');
    assert.ok(maxParallel >= 2, `different keys run in parallel (max ${maxParallel})`);
    const count = (k: string) => calls.filter((x) => x === k).length;
    assert.equal(count('a'), 2, `a: the 11 adds collapse to 2 reconciles (${calls})`);
    assert.equal(count('flaky'), 2, 'retried after an error');
    assert.equal(count('bad'), 1, 'a TerminalError is not retried');
    assert.equal(count('periodic'), 3, 'requeueAfter brings it back');
    const text = await metrics.registry.metrics();
    assert.match(text, /hil_reconcile_total\{controller="t",result="error"\} 1/);
    assert.match(text, /hil_reconcile_total\{controller="t",result="terminal"\} 1/);
    assert.match(text, /hil_reconcile_total\{controller="t",result="requeue_after"\} 2/);
    assert.match(text, /hil_reconcile_errors_total\{controller="t"\} 2/);
    assert.match(text, /hil_reconcile_duration_seconds_count\{controller="t"\} \d+/);
    assert.match(text, /hil_workqueue_depth\{controller="t"\} 0/);
  });

  test('stop() finishes in-flight reconciles; stop({abort}) aborts their signal', async () => {
    let finished = false;
    let aborted = false;
    const c = new Controller({
      name: 's',
      reconciler: {
        async reconcile(_req, signal) {
          await sleep(50);
          aborted = signal.aborted;
          finished = true;
          return {};
        },
      },
    });
    c.start();
    c.enqueue('x');
    await sleep(5);
    await c.stop();
    assert.equal(finished, true, 'graceful stop waited for the in-flight reconcile');
    assert.equal(aborted, false);
    const c2 = new Controller({
      name: 's2',
      reconciler: {
        async reconcile(_req, signal) {
          await sleep(50);
          aborted = signal.aborted;
          return {};
        },
      },
    });
    c2.start();
    c2.enqueue('x');
    await sleep(5);
    await c2.stop({ abort: true });
    assert.equal(aborted, true, 'lost leadership: the reconcile sees its signal aborted');
  });
});

/** An in-memory Lease store with resourceVersions and 409s, like the API. */
class FakeLeases implements LeaseStore {
  leases = new Map<string, LeaseObject>();
  rv = 0;
  down = false;
  private k(ns: string, n: string) {
    return `${ns}/${n}`;
  }
  async get(ns: string, name: string) {
    if (this.down) throw new Error('unreachable');
    const l = this.leases.get(this.k(ns, name));
    return l && structuredClone(l);
  }
  async create(l: LeaseObject) {
    if (this.down) throw new Error('unreachable');
    const key = this.k(l.metadata.namespace, l.metadata.name);
    if (this.leases.has(key)) throw Object.assign(new Error('exists'), { code: 409 });
    const o = structuredClone({ ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } });
    this.leases.set(key, o);
    return structuredClone(o);
  }
  async replace(l: LeaseObject) {
    if (this.down) throw new Error('unreachable');
    const key = this.k(l.metadata.namespace, l.metadata.name);
    const cur = this.leases.get(key);
    if (!cur || cur.metadata.resourceVersion !== l.metadata.resourceVersion)
      throw Object.assign(new Error('conflict'), { code: 409 });
    const o = structuredClone({ ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } });
    this.leases.set(key, o);
    return structuredClone(o);
  }
}

describe('LeaderElector (fake store, fake clock)', () => {
  const mk = (store: LeaseStore, identity: string, clock: { t: number }) =>
    new LeaderElector({
      store,
      namespace: 'hil-system',
      name: 'hil-controllers',
      identity,
      leaseDurationMs: 12_000,
      renewDeadlineMs: 8_000,
      retryPeriodMs: 2_000,
      now: () => clock.t,
    });

  test('the first candidate wins; a second waits while the lease is renewed and takes over once it expires', async () => {
    const store = new FakeLeases();
    const clock = { t: 1_000_000 };
    const a = mk(store, 'a', clock);
    const b = mk(store, 'b', clock);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false, 'b cannot take a fresh lease');
    // a keeps renewing every 2 s for a minute: b never gets it.
    for (let i = 0; i < 30; i++) {
      clock.t += 2_000;
      assert.equal(await a.tryAcquireOrRenew(), true);
      assert.equal(await b.tryAcquireOrRenew(), false);
    }
    // a dies. b takes over only once 12 s have passed since it saw the last renewal.
    const died = clock.t;
    let tookOver: number | undefined;
    while (tookOver === undefined && clock.t < died + 60_000) {
      clock.t += 2_000;
      if (await b.tryAcquireOrRenew()) tookOver = clock.t;
    }
    assert.ok(tookOver !== undefined);
    assert.ok(
      tookOver - died >= 12_000 && tookOver - died <= 14_000,
      `took over ${tookOver - died} ms after the last renew`,
    );
    const lease = [...store.leases.values()][0];
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    assert.match(lease.spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime format');
    // The old leader, back from the dead, cannot renew.
    assert.equal(await a.tryAcquireOrRenew(), false);
  });

  test('a leader that cannot renew within the renew deadline stops leading before anyone can take over', async () => {
    const store = new FakeLeases();
    const clock = { t: 5_000_000 };
    const a = new LeaderElector({
      store,
      namespace: 'ns',
      name: 'l',
      identity: 'a',
      leaseDurationMs: 12_000,
      renewDeadlineMs: 8_000,
      retryPeriodMs: 2_000,
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
        await sleep(0);
      },
    });
    const ac = new AbortController();
    assert.equal(await a.acquire(ac.signal), true);
    const lastRenew = clock.t;
    store.down = true; // the API is unreachable
    const outcome = await a.hold(ac.signal);
    assert.equal(outcome, 'lost');
    assert.equal(a.isLeader, false);
    assert.ok(
      clock.t - lastRenew <= 12_000 && clock.t - lastRenew >= 8_000,
      `gave up ${clock.t - lastRenew} ms after the last renew: after the renew deadline, before the lease expires`,
    );
  });

  test('release() on shutdown lets a standby take over at once', async () => {
    const store = new FakeLeases();
    const clock = { t: 9_000_000 };
    const a = mk(store, 'a', clock);
    const b = mk(store, 'b', clock);
    const ac = new AbortController();
    assert.equal(await a.acquire(ac.signal), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    await a.release();
    assert.equal(await b.tryAcquireOrRenew(), true, 'taken right after the release, no waiting for expiry');
  });

  test('two candidates racing for a free lease: exactly one wins', async () => {
    const store = new FakeLeases();
    const clock = { t: 1 };
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => mk(store, id, clock).tryAcquireOrRenew()));
    assert.equal(results.filter(Boolean).length, 1);
  });
});
