// Killing `hil-admin serve` with SIGKILL in the middle of a stream of writes loses no acknowledged write: every
// create that got its 201 is there after a restart on the same store, nothing appears that was never sent, and
// the revision history carries on above everything that survived. On SQLite (the data folder) and PostgreSQL.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { makeServeDataDir, startServe, type ServeChild } from '../support/kubectl.js';
import { createTestDatabase } from '../support/postgres.js';
import { api } from '../support/server.js';

const PATH = '/apis/hil.io/v1alpha1/networks';
const LOOPS = 8;
/** Kill after this long, or later (up to MAX_RUN_MS) if fewer than MIN_ACKED creates were acknowledged by then. */
const RUN_MS = 1_500;
const MIN_ACKED = 16;
const MAX_RUN_MS = 10_000;

function network(name: string) {
  return {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Network',
    metadata: { name, labels: { test: 'crash' } },
    spec: { owner: '' },
  };
}

interface Outcome {
  attempted: Set<string>;
  acknowledged: Set<string>;
  inFlightAtKill: number;
  /** Anything but a 201 before the kill, or a connection error before the kill. */
  unexpected: string[];
}

/** LOOPS concurrent create loops against srv; SIGKILL after RUN_MS while requests are in flight. */
async function writeThenKill(srv: ServeChild): Promise<Outcome> {
  const out: Outcome = { attempted: new Set(), acknowledged: new Set(), inFlightAtKill: 0, unexpected: [] };
  let killed = false;
  let inFlight = 0;
  const loop = async (id: number) => {
    for (let i = 0; ; i++) {
      const name = `crash-${id}-${i}`;
      out.attempted.add(name);
      inFlight++;
      try {
        const res = await fetch(`${srv.url}${PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(network(name)),
        });
        // The status line is the acknowledgement; the body may still be cut off by the kill.
        if (res.status === 201) out.acknowledged.add(name);
        else if (!killed) out.unexpected.push(`${name}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        if (!killed) out.unexpected.push(`${name}: ${String(err)}`);
        return; // the server is gone
      } finally {
        inFlight--;
      }
      if (killed) return;
    }
  };
  const started = Date.now();
  const loops = [...Array(LOOPS).keys()].map(loop);
  while (Date.now() - started < RUN_MS || (out.acknowledged.size < MIN_ACKED && Date.now() - started < MAX_RUN_MS)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  out.inFlightAtKill = inFlight;
  killed = true;
  await srv.stop('SIGKILL');
  await Promise.all(loops);
  return out;
}

async function checkAfterRestart(t: TestContext, srv: ServeChild, o: Outcome) {
  const listed = await api(srv.url, 'GET', `${PATH}?labelSelector=test%3Dcrash`);
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  const items: { metadata: { name: string; resourceVersion: string; uid: string } }[] = listed.body.items;
  const names = items.map((i) => i.metadata.name);
  t.diagnostic(
    `acknowledged ${o.acknowledged.size}, attempted ${o.attempted.size}, in flight at the kill ${o.inFlightAtKill}, present after restart ${names.length}`,
  );

  const missing = [...o.acknowledged].filter((n) => !names.includes(n));
  assert.deepEqual(missing, [], `acknowledged creates lost by the kill: ${missing.join(', ')}`);
  assert.equal(new Set(names).size, names.length, 'no object is listed twice');
  const phantoms = names.filter((n) => !o.attempted.has(n));
  assert.deepEqual(phantoms, [], 'nothing exists that was never sent');
  // At most the requests in flight at the kill may have committed without their 201 arriving.
  assert.ok(
    names.length - o.acknowledged.size <= o.inFlightAtKill,
    `${names.length - o.acknowledged.size} unacknowledged objects exist, but only ${o.inFlightAtKill} requests were in flight`,
  );

  const rvs = items.map((i) => Number(i.metadata.resourceVersion));
  assert.ok(
    rvs.every((r) => Number.isInteger(r) && r > 0),
    `resourceVersions must be positive integers: ${rvs}`,
  );
  assert.equal(new Set(rvs).size, rvs.length, 'every create has its own resourceVersion');
  assert.equal(new Set(items.map((i) => i.metadata.uid)).size, items.length, 'every object has its own uid');
  const newest = Math.max(...rvs);
  assert.ok(
    Number(listed.body.metadata.resourceVersion) >= newest,
    `the list's resourceVersion ${listed.body.metadata.resourceVersion} is below an item's ${newest}`,
  );

  // The history carries on above everything that survived, and reads back.
  const fresh = await api(srv.url, 'POST', PATH, network('after-restart'));
  assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
  const rv = Number(fresh.body.metadata.resourceVersion);
  assert.ok(
    rv > newest,
    `a write after the restart got resourceVersion ${rv}, not above the newest surviving ${newest}`,
  );
  assert.ok(rv > Number(listed.body.metadata.resourceVersion));
  const again = await api(srv.url, 'GET', `${PATH}/after-restart`);
  assert.equal(again.body.metadata.resourceVersion, fresh.body.metadata.resourceVersion);

  // A watch from before the newest surviving write replays from there on: the log survived with the objects.
  const second = [...rvs].sort((a, b) => a - b).at(-2)!;
  const ctl = new AbortController();
  const res = await fetch(`${srv.url}${PATH}?watch=true&resourceVersion=${second}&labelSelector=test%3Dcrash`, {
    signal: ctl.signal,
  });
  try {
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5_000;
    while (text.split('\n').filter(Boolean).length < 1 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const first = JSON.parse(text.split('\n')[0]);
    assert.equal(first.type, 'ADDED');
    assert.equal(Number(first.object.metadata.resourceVersion), newest);
  } finally {
    ctl.abort();
  }
}

function assertRunWasMeaningful(o: Outcome) {
  assert.deepEqual(o.unexpected, [], 'every create before the kill should have succeeded');
  assert.ok(
    o.acknowledged.size >= MIN_ACKED,
    `only ${o.acknowledged.size} creates were acknowledged before the kill; the test needs a stream of writes`,
  );
  assert.ok(o.inFlightAtKill > 0, 'no request was in flight when the server was killed');
}

describe('SIGKILL during a stream of writes loses no acknowledged write', () => {
  test('SQLite (data folder)', async (t) => {
    const dataDir = makeServeDataDir('hil-crash-');
    const servers: ServeChild[] = [];
    try {
      const first = await startServe({ dataDir });
      servers.push(first);
      const outcome = await writeThenKill(first);
      assert.equal(first.process.signalCode, 'SIGKILL');
      assertRunWasMeaningful(outcome);

      const second = await startServe({ dataDir });
      servers.push(second);
      await checkAfterRestart(t, second, outcome);
    } finally {
      for (const s of servers) await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL', async (t) => {
    const db = await createTestDatabase();
    const servers: ServeChild[] = [];
    try {
      const first = await startServe({ databaseUri: db.uri });
      servers.push(first);
      const outcome = await writeThenKill(first);
      assert.equal(first.process.signalCode, 'SIGKILL');
      assertRunWasMeaningful(outcome);

      const second = await startServe({ databaseUri: db.uri });
      servers.push(second);
      await checkAfterRestart(t, second, outcome);
    } finally {
      for (const s of servers) await s.close();
      await db.drop();
    }
  });
});
