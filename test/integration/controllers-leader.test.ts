// Leader election and VLAN allocation with real processes: two `hil-admin serve-networks` daemons against one API
// server. The leader is SIGKILLed while networks are being created; the standby takes over within ~15 s (lease 12 s,
// retry 2 s) and no VLAN is ever handed out twice. A SIGTERMed leader releases the lease, so the standby takes over
// at once. And with leader election off — two active allocators, each with its own possibly stale cache — the
// atomic Lease claims still never give one VLAN to two networks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { H, metricsOf, sleep, startDaemon, until, writeHilCfg, type Daemon } from '../support/controllers.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/hil-system/leases';

describe('controller daemons: leader election and VLAN allocation', () => {
  let srv: InProcessServer;
  let cfg: ReturnType<typeof writeHilCfg>;
  const daemons: Daemon[] = [];

  before(async () => {
    srv = await startInProcessServer();
    cfg = writeHilCfg('100-399');
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
    await srv?.stop();
    cfg?.cleanup();
  });

  const start = async (identity: string, extra: string[] = []) => {
    const d = await startDaemon(srv.url, ['--config', cfg.path, '--identity', identity, '--resync', '30', ...extra]);
    daemons.push(d);
    return d;
  };
  const holder = async (): Promise<string | undefined> =>
    (await api(srv.url, 'GET', `${LEASES}/hil-controllers`)).body?.spec?.holderIdentity;
  const createNetwork = async (name: string) => {
    const r = await api(srv.url, 'POST', `${H}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name },
      spec: { owner: '' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  /** name → VLAN of the given networks, once every one has one. */
  const allocated = async (names: string[], timeoutMs: number) =>
    until(
      async () => {
        const items: any[] = (await api(srv.url, 'GET', `${H}/networks`)).body.items;
        const by = new Map(items.map((n) => [n.metadata.name, n.status?.vlan as number | undefined]));
        return names.every((n) => by.get(n) !== undefined) ? by : undefined;
      },
      `${names.length} networks to get a VLAN`,
      timeoutMs,
    );
  const assertNoDuplicates = async (vlans: Map<string, number | undefined>) => {
    const seen = new Map<number, string>();
    for (const [name, v] of vlans) {
      assert.ok(v !== undefined, `${name} has a VLAN`);
      assert.ok(!seen.has(v), `VLAN ${v} given to both ${seen.get(v)} and ${name}`);
      seen.set(v, name);
    }
    // Every claim belongs to exactly one existing network, and each network has exactly one claim.
    const networks: any[] = (await api(srv.url, 'GET', `${H}/networks`)).body.items;
    const uidToVlan = new Map(networks.map((n) => [n.metadata.uid, n.status?.vlan]));
    const claims: any[] = (await api(srv.url, 'GET', `${LEASES}?labelSelector=hil.io/vlan-claim%3Dtrue`)).body.items;
    for (const c of claims) {
      const v = Number(c.metadata.name.slice('vlan-'.length));
      assert.equal(
        uidToVlan.get(c.spec.holderIdentity),
        v,
        `claim ${c.metadata.name} is held by the network that has VLAN ${v}`,
      );
    }
    assert.equal(claims.length, networks.length, 'one claim per network, no stray claim');
  };

  test('SIGKILL the leader while networks are created: the standby takes over within ~15 s; no VLAN twice', async (t) => {
    const a = await start('daemon-a');
    await until(async () => (await holder()) === 'daemon-a', 'daemon-a to lead', 20_000);
    const b = await start('daemon-b');
    assert.equal(
      (await fetch(`http://127.0.0.1:${b.metricsPort}/readyz`)).status,
      200,
      'a standby is ready (healthy, waiting)',
    );

    const names: string[] = [];
    for (let i = 0; i < 10; i++) {
      names.push(`before-${i}`);
      await createNetwork(`before-${i}`);
    }
    await allocated(names, 20_000);
    assert.match(await metricsOf(a), /hil_leader\{identity="daemon-a"\} 1/);
    assert.match(await metricsOf(a), /hil_reconcile_total\{controller="network",result="success"\} \d+/);

    // Kill the leader in the middle of a stream of creates; keep creating during the failover.
    const creating = (async () => {
      for (let i = 0; i < 24; i++) {
        names.push(`during-${i}`);
        await createNetwork(`during-${i}`);
        await sleep(200);
      }
    })();
    await sleep(300);
    const killedAt = Date.now();
    await a.stop('SIGKILL');
    await until(async () => (await holder()) === 'daemon-b', 'daemon-b to take over', 25_000);
    const takeover = Date.now() - killedAt;
    assert.ok(takeover <= 16_000, `the standby took over ${takeover} ms after the leader died`);
    await creating;
    const vlans = await allocated(names, 20_000);
    await assertNoDuplicates(vlans);
    assert.match(await metricsOf(b), /hil_leader\{identity="daemon-b"\} 1/);
    t.diagnostic(`takeover after SIGKILL: ${takeover} ms`);

    // Graceful stop releases the lease: a new standby takes over at once.
    const c = await start('daemon-c');
    const stoppedAt = Date.now();
    await b.stop('SIGTERM');
    assert.equal(await b.exited, 0, 'a SIGTERMed daemon exits 0');
    await until(async () => (await holder()) === 'daemon-c', 'daemon-c to take over after a clean stop', 10_000);
    const handover = Date.now() - stoppedAt;
    assert.ok(handover < 5_000, `handover after SIGTERM took ${handover} ms`);
    assert.match(b.output(), /released the leader lease/);
    t.diagnostic(`handover after SIGTERM: ${handover} ms`);
    await createNetwork('after-handover');
    await assertNoDuplicates(await allocated([...names, 'after-handover'], 10_000));
    await c.stop('SIGKILL');
  });

  test('two active allocators (leader election off, separate caches) never hand out one VLAN twice', async () => {
    const x = await start('x', ['--no-leader-elect']);
    const y = await start('y', ['--no-leader-elect']);
    const names = Array.from({ length: 30 }, (_, i) => `race-${i}`);
    await Promise.all(names.map((n) => createNetwork(n)));
    const vlans = await allocated(names, 30_000);
    await assertNoDuplicates(vlans);
    await Promise.all([x.stop('SIGKILL'), y.stop('SIGKILL')]);
  });

  test('an exhausted pool says PoolExhausted; a deleted network frees its VLAN, and the waiting one gets it', async () => {
    const own = await startInProcessServer();
    const small = writeHilCfg('100-104');
    const d = await startDaemon(own.url, ['--config', small.path, '--identity', 'solo', '--no-leader-elect']);
    try {
      const mk = async (name: string) =>
        assert.equal(
          (
            await api(own.url, 'POST', `${H}/networks`, {
              apiVersion: 'hil.io/v1alpha1',
              kind: 'Network',
              metadata: { name },
              spec: { owner: '' },
            })
          ).status,
          201,
        );
      const names = Array.from({ length: 6 }, (_, i) => `net-${i}`);
      for (const n of names) await mk(n);
      const waiting = await until(
        async () => {
          const items: any[] = (await api(own.url, 'GET', `${H}/networks`)).body.items;
          const done = items.every((n) => n.status?.conditions?.length);
          const pending = items.filter((n) => n.status?.vlan === undefined);
          return done && pending.length === 1 ? pending[0] : undefined;
        },
        'five networks with a VLAN and one waiting',
        20_000,
      );
      const ready = waiting.status.conditions.find((c: any) => c.type === 'Ready');
      assert.equal(ready.status, 'False');
      assert.equal(ready.reason, 'PoolExhausted');
      assert.match(ready.message, /every VLAN of the pool \(100-104\) is in use/);
      const victim = names.find((n) => n !== waiting.metadata.name)!;
      const freed = (await api(own.url, 'GET', `${H}/networks/${victim}`)).body.status.vlan;
      assert.equal((await api(own.url, 'DELETE', `${H}/networks/${victim}`)).status, 200);
      const got = await until(
        async () => (await api(own.url, 'GET', `${H}/networks/${waiting.metadata.name}`)).body.status?.vlan,
        'the waiting network to get the freed VLAN',
        10_000,
      );
      assert.equal(got, freed);
      const claims: any[] = (await api(own.url, 'GET', `${LEASES}?labelSelector=hil.io/vlan-claim%3Dtrue`)).body.items;
      assert.equal(claims.length, 5, 'one claim per remaining network');
    } finally {
      await d.stop('SIGKILL');
      await own.stop();
      small.cleanup();
    }
  });
});
