// The REST switch drivers (brocade, dellnos9) beyond the conformance suite, on their HTTP emulators: a wrong
// password, TLS (an untrusted certificate refused, trusted through caSecretRef or skipped on request), the switch's
// own error words failing one port while the others go through, a hung request, a connection dropped in the middle
// of a batch converging on the next apply with nothing stray, one save per batch, few requests per batch, a
// transcript that never holds the password; and through the switch controller, a wrong password reported as
// Reachable=False and the CA bundle read from options.caSecretRef.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import { parkedChange, portInSync } from '../../drivers/switch/port-state.js';
import { brocade } from '../../drivers/switch/rest/dialects/brocade.js';
import { dellNos9 } from '../../drivers/switch/rest/dialects/dellnos9.js';
import { RestSwitchDriver } from '../../drivers/switch/rest/rest-driver.js';
import type { PortChange, SwitchConfig } from '../../drivers/switch/switch-driver.js';
import { BrocadeRestEmulator } from '../support/switches/brocade-rest-emulator.js';
import { DellNos9RestEmulator } from '../support/switches/dellnos9-rest-emulator.js';
import type { HttpKnobs } from '../support/switches/http-switch-server.js';
import { EventRecorder } from '../../controllers/events.js';
import { FINALIZER_PORT_REVERT } from '../../controllers/finalizers.js';
import { SwitchReconciler } from '../../controllers/switch/switch-reconciler.js';
import { createRegistry } from '../../drivers/switch/registry.js';
import { FakeApi } from '../support/fake-api.js';

const stop: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stop) await s();
});

async function rejects(p: Promise<unknown>, code: string, match?: RegExp): Promise<SwitchError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SwitchError, `expected a SwitchError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail(`expected a SwitchError ${code}`);
}

interface Rig {
  name: string;
  ports: string[];
  start(knobs?: Partial<HttpKnobs>): Promise<{
    emu: BrocadeRestEmulator | DellNos9RestEmulator;
    config: SwitchConfig;
    driver: RestSwitchDriver;
  }>;
}

const rigs: Rig[] = [
  {
    name: 'brocade',
    ports: Array.from({ length: 8 }, (_, i) => `1/0/${i + 1}`),
    async start(knobs = {}) {
      const emu = await BrocadeRestEmulator.start('1/0/1-8', knobs);
      stop.push(() => emu.server.close());
      const config: SwitchConfig = {
        address: emu.server.address,
        credentials: { username: 'admin', password: 'secret' },
        options: { interfaceType: 'TenGigabitEthernet' },
        timeoutMs: 5000,
      };
      return { emu, config, driver: new RestSwitchDriver(brocade) };
    },
  },
  {
    name: 'dellnos9',
    ports: Array.from({ length: 8 }, (_, i) => `1/${i + 1}`),
    async start(knobs = {}) {
      const emu = await DellNos9RestEmulator.start('1/1-8', knobs);
      stop.push(() => emu.server.close());
      const config: SwitchConfig = {
        address: emu.server.address,
        credentials: { username: 'admin', password: 'secret' },
        options: { interfaceType: 'TenGigabitEthernet' },
        timeoutMs: 5000,
      };
      return { emu, config, driver: new RestSwitchDriver(dellNos9) };
    },
  },
];

for (const rig of rigs) {
  describe(`${rig.name} over REST`, () => {
    test('a wrong password is an auth error naming authentication (the controller reports Reachable=False, AuthenticationFailed)', async () => {
      const { emu, config, driver } = await rig.start();
      const err = await rejects(
        driver.open({ ...config, credentials: { username: 'admin', password: 'Xy7-bad' } }),
        'auth',
        /authentication failed/,
      );
      assert.equal(err.retryable, false);
      assert.doesNotMatch(err.message, /Xy7-bad/);
      assert.equal(emu.server.authFailures, 1);
    });

    test('https: an untrusted certificate is refused; trusted through caSecretRef, or not checked on request', async () => {
      const { emu, config, driver } = await rig.start({ tls: true });
      assert.match(config.address, /^https:/);
      await rejects(driver.open(config), 'unreachable', /certificate is not trusted.*caSecretRef/);
      assert.equal(emu.server.log.length, 0, 'nothing was sent over the untrusted connection');
      const trusted = await driver.open({
        ...config,
        options: { ...config.options, caSecretRef: 'switch-ca' },
        caCertificates: emu.server.certificate,
      });
      assert.equal((await trusted.readPorts([rig.ports[0]]))[0].parked, true);
      await trusted.close();
      const skipping = await driver.open({ ...config, options: { ...config.options, insecureSkipTLSVerify: 'true' } });
      assert.equal((await skipping.readPorts([rig.ports[0]])).length, 1);
      await skipping.close();
      // Another CA does not do: the switch's certificate must chain to the one given.
      const other = await rig.start({ tls: true });
      await rejects(
        driver.open({
          ...config,
          options: { ...config.options, caSecretRef: 'hil-system/other-ca' },
          caCertificates: other.emu.server.certificate,
        }),
        'unreachable',
        /not trusted/,
      );
      await rejects(
        driver.open({ ...config, options: { ...config.options, caSecretRef: 'switch-ca' } }),
        'invalid',
        /no CA bundle/,
      );
    });

    test('options are checked before anything is sent: interfaceType from the allow-list, TLS options need https', async () => {
      const { emu, config, driver } = await rig.start();
      await rejects(driver.open({ ...config, options: {} }), 'invalid', /interfaceType/);
      await rejects(driver.open({ ...config, options: { interfaceType: 'Ethernet' } }), 'invalid', /interfaceType/);
      await rejects(driver.open({ ...config, options: { interfaceType: 'TenGigabitEthernet/../../x' } }), 'invalid');
      await rejects(
        driver.open({ ...config, options: { ...config.options, insecureSkipTLSVerify: 'true' } }),
        'invalid',
        /https/,
      );
      await rejects(driver.open({ ...config, options: { ...config.options, caSecretRef: 'Bad Name' } }), 'invalid');
      await rejects(driver.open({ ...config, address: `${config.address}/rest?x=1` }), 'invalid', /address/);
      await rejects(driver.open({ ...config, address: 'ssh://127.0.0.1:22' }), 'invalid', /address/);
      await rejects(driver.open({ ...config, credentials: undefined }), 'invalid', /credentials/);
      assert.equal(emu.server.log.length, 0);
    });

    test('options.save "false" skips saving; ports of another interfaceType are unknown here', async () => {
      const { emu, config, driver } = await rig.start();
      const s = await driver.open({ ...config, options: { ...config.options, save: 'false' } });
      await s.apply([{ interface: rig.ports[0], native: 30, tagged: [] }]);
      await s.save();
      assert.equal(emu.saves, 0);
      await s.close();
      const other = await driver.open({ ...config, options: { interfaceType: 'GigabitEthernet' } });
      const err = await rejects(other.readPorts([rig.ports[0]]), 'unknown-port');
      assert.deepEqual(err.ports, [rig.ports[0]]);
      await other.close();
    });

    test("a refused request fails that port with the switch's own words; the other ports go through", async () => {
      const port = rig.ports[2];
      const apiPort = rig.name === 'brocade' ? `%22${port}%22` : `tengig-${port.replace(/\//g, '-')}`;
      const { config, driver } = await rig.start({ refuse: new RegExp(`^PUT \\S*${apiPort}`) });
      const s = await driver.open(config);
      const wanted: PortChange[] = [
        { interface: rig.ports[1], native: 10, tagged: [11] },
        { interface: port, native: 10, tagged: [] },
      ];
      const results = await s.apply(wanted);
      assert.equal(results[0].error, undefined);
      assert.equal(results[1].error?.code, 'failed');
      assert.match(results[1].error?.message ?? '', /refused by the emulator's refuse knob/);
      const [ok] = await s.readPorts([rig.ports[1]]);
      assert.ok(portInSync(wanted[0], ok));
      await s.close();
    });

    test('a hung request times out and closes the session', async () => {
      const { config, driver } = await rig.start({ hangOn: /^GET \S*(%221\/0\/4%22|tengig-1-4)/ });
      const s = await driver.open({ ...config, timeoutMs: 400 });
      await rejects(s.readPorts([rig.ports[3]]), 'timeout');
      await rejects(s.readPorts([rig.ports[0]]), 'closed');
    });

    test('a connection dropped in the middle of a batch converges on the next apply, nothing stray; one save per batch', async () => {
      const { emu, config, driver } = await rig.start({ requestLatencyMs: 2 });
      const untouched = rig.ports[7];
      const before = emu.render(untouched);
      const wanted: PortChange[] = [
        { interface: rig.ports[0], native: 100, tagged: [101, 102] },
        { interface: rig.ports[1], native: 103, tagged: [] },
        { interface: rig.ports[2], native: 100, tagged: [104] },
        { interface: rig.ports[3], native: 105, tagged: [] },
      ];
      const s1 = await driver.open(config);
      emu.server.dropAtWrite(4);
      await rejects(s1.apply(wanted), 'closed', /connection to the switch was lost/);
      await rejects(s1.readPorts([rig.ports[0]]), 'closed');
      const s2 = await driver.open(config);
      const results = await s2.apply(wanted);
      assert.ok(results.every((r) => !r.error));
      await s2.save();
      const observed = await s2.readPorts(wanted.map((w) => w.interface));
      for (const [i, w] of wanted.entries()) assert.ok(portInSync(w, observed[i]), `${w.interface} converged`);
      // Nothing stray: each port carries exactly what was asked, the port outside the batch is as it was, and
      // the startup config is the running one.
      for (const w of wanted) {
        const p = emu.running.ports.get(w.interface)!;
        assert.equal(p.nativeVlan, w.native);
        assert.deepEqual([...(p.allowed as Set<number>)].sort(), [...w.tagged].sort());
        assert.equal(p.shutdown, false);
        assert.equal(emu.render(w.interface, emu.startup), emu.render(w.interface));
      }
      assert.equal(emu.render(untouched), before);
      assert.equal(emu.saves, 1);
      // Back to parked: shut down, in no VLAN.
      await s2.apply(wanted.map((w) => parkedChange(w.interface)));
      for (const w of wanted) {
        const p = emu.running.ports.get(w.interface)!;
        assert.equal(p.shutdown, true);
        assert.ok(p.nativeVlan === 'none' || p.nativeVlan === 1, `${w.interface} has no native VLAN of ours`);
        assert.equal((p.allowed as Set<number>).size, 0);
      }
      await s2.close();
    });

    test('a session idle longer than the switch keeps connections open still works (pooled sessions)', async () => {
      const { emu, config, driver } = await rig.start({ keepAliveTimeoutMs: 150 });
      const s = await driver.open(config);
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 300));
        assert.equal((await s.readPorts([rig.ports[0]]))[0].parked, true);
      }
      await s.apply([{ interface: rig.ports[0], native: 9, tagged: [] }]);
      await new Promise((r) => setTimeout(r, 300));
      await s.apply([parkedChange(rig.ports[0])]);
      assert.equal(emu.running.ports.get(rig.ports[0])!.shutdown, true);
      await s.close();
    });

    test('the transcript logs every request at debug, never the password or the Authorization header', async () => {
      const { config } = await rig.start();
      const lines: string[] = [];
      const log = { debug: (m: string, meta?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(meta)}`) };
      const driver = new RestSwitchDriver(rig.name === 'brocade' ? brocade : dellNos9, { log });
      const password = 'pw-<&>"secret"';
      const emu2 = await rig.start({ password });
      const s = await driver.open({ ...emu2.config, credentials: { username: 'admin', password } });
      await s.apply([{ interface: rig.ports[0], native: 7, tagged: [] }]);
      await s.save();
      await s.close();
      assert.ok(lines.some((l) => l.includes('switch rest request')));
      const all = lines.join('\n');
      assert.ok(!all.includes(password) && !all.includes(JSON.stringify(password).slice(1, -1)));
      assert.ok(!all.includes(Buffer.from(`admin:${password}`).toString('base64')));
      assert.doesNotMatch(all, /Authorization|Basic /);
      void config;
    });
  });
}

describe('requests per batch', () => {
  test('dellnos9: a batch of 48 ports sets VLAN membership in a few config-commands requests (1000 characters each at most) and reads it back with one show', async () => {
    const emu = await DellNos9RestEmulator.start('1/1-48');
    stop.push(() => emu.server.close());
    const driver = new RestSwitchDriver(dellNos9);
    const s = await driver.open({
      address: emu.server.address,
      credentials: { username: 'admin', password: 'secret' },
      options: { interfaceType: 'TenGigabitEthernet' },
    });
    const batch: PortChange[] = Array.from({ length: 48 }, (_, i) => ({
      interface: `1/${i + 1}`,
      native: 200 + (i % 4),
      tagged: [300],
    }));
    await s.apply(batch);
    assert.deepEqual(emu.shows, [], 'fresh ports are no switchports: nothing to show');
    // 96 membership lines of ~30 characters plus VLAN headers: a handful of requests, not one per port.
    assert.ok(emu.configRequests.length <= 6, `${emu.configRequests.length} config requests`);
    for (const r of emu.configRequests) assert.ok(r.join('\r\n').length <= 1000);
    const observed = await s.readPorts(batch.map((b) => b.interface));
    batch.forEach((b, i) => assert.ok(portInSync(b, observed[i])));
    assert.deepEqual(emu.shows, ['interfaces switchport'], "48 ports' VLANs read with one show of every port");
    await s.readPorts(['1/5']);
    assert.equal(emu.shows.at(-1), 'interfaces switchport TenGigabitEthernet 1/5', 'one port: its own show');
    await s.close();
  });

  test('brocade: each VLAN is created once per batch; a port already in its state gets no request', async () => {
    const emu = await BrocadeRestEmulator.start('1/0/1-8');
    stop.push(() => emu.server.close());
    const driver = new RestSwitchDriver(brocade);
    const s = await driver.open({
      address: emu.server.address,
      credentials: { username: 'admin', password: 'secret' },
      options: { interfaceType: 'TenGigabitEthernet' },
    });
    const batch: PortChange[] = Array.from({ length: 8 }, (_, i) => ({
      interface: `1/0/${i + 1}`,
      native: 10,
      tagged: [20, 21],
    }));
    await s.apply(batch);
    assert.equal(emu.server.log.filter((l) => l === 'POST /rest/config/running/interface').length, 3);
    const writes = emu.server.log.length;
    assert.deepEqual(
      (await s.apply(batch)).map((r) => r.changed),
      batch.map(() => false),
    );
    assert.ok(
      emu.server.log.slice(writes).every((l) => l.startsWith('GET ')),
      'the second apply only read',
    );
    await s.close();
  });
});

describe('through the switch controller', () => {
  /** A brocade Switch on the emulator with ports 1/0/1-2 cabled to nodes n1, n2, and network red = VLAN 101. */
  async function world(options: Record<string, string>, tls: boolean) {
    const emu = await BrocadeRestEmulator.start('1/0/1-4', { tls });
    stop.push(() => emu.server.close());
    const api = new FakeApi();
    api.put('switches', {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Switch',
      metadata: { name: 'vdx1' },
      spec: {
        type: 'brocade',
        address: emu.server.address,
        maxSessions: 1,
        credentialsSecretRef: { name: 'vdx1-login', namespace: 'hil-system' },
        options: { interfaceType: 'TenGigabitEthernet', ...options },
      },
    });
    for (let i = 1; i <= 2; i++) {
      api.put('ports', {
        kind: 'Port',
        metadata: { name: `vdx1-${i}` },
        spec: { switch: 'vdx1', interface: `1/0/${i}` },
      });
      api.put('nodes', {
        kind: 'Node',
        metadata: { name: `n${i}` },
        spec: { project: 'p', obm: { type: 'mock', host: 'b' }, nics: [{ name: 'eth0', port: `vdx1-${i}` }] },
      });
    }
    api.put('networks', { kind: 'Network', metadata: { name: 'red' }, spec: { owner: 'p' }, status: { vlan: 101 } });
    api.put('networkattachments', {
      kind: 'NetworkAttachment',
      metadata: { name: 'a1', finalizers: [FINALIZER_PORT_REVERT] },
      spec: { node: 'n1', nic: 'eth0', network: 'red', channel: 'native' },
    });
    const client = api.client();
    const clock = { t: Date.now() };
    const reconciler = new SwitchReconciler({
      client,
      cache: api,
      driverRegistry: createRegistry(),
      events: new EventRecorder(client),
      resyncMs: 60_000,
      driverTimeoutMs: 5_000,
      now: () => clock.t,
    });
    return {
      emu,
      api,
      clock,
      run: async () => {
        const r = await reconciler.reconcile({ key: 'vdx1' }, new AbortController().signal);
        await reconciler.settled();
        return r;
      },
      cond: (type: string) =>
        (api.get('switches', 'vdx1')?.status?.conditions ?? []).find((c: { type: string }) => c.type === type) as
          { status: string; reason: string; message?: string } | undefined,
    };
  }

  test('a wrong password: Reachable=False, AuthenticationFailed, and nothing written', async () => {
    const w = await world({}, false);
    w.api.secrets.set('hil-system/vdx1-login', { username: 'admin', password: 'wrong' });
    await w.run();
    assert.equal(w.cond('Reachable')?.status, 'False');
    assert.equal(w.cond('Reachable')?.reason, 'AuthenticationFailed');
    assert.match(w.cond('Reachable')?.message ?? '', /authentication/);
    assert.doesNotMatch(JSON.stringify(w.api.get('switches', 'vdx1')), /wrong/);
    assert.equal(w.emu.running.ports.get('1/0/1')!.nativeVlan, 'none');
  });

  test('https with options.caSecretRef: the controller reads ca.crt and the attachment is set and saved', async () => {
    const w = await world({ caSecretRef: 'vdx1-ca' }, true);
    w.api.secrets.set('hil-system/vdx1-login', { username: 'admin', password: 'secret' });
    await w.run();
    assert.equal(w.cond('Reachable')?.status, 'False', 'no CA Secret yet');
    assert.match(w.cond('Reachable')?.message ?? '', /CA Secret hil-system\/vdx1-ca/);
    w.api.secrets.set('hil-system/vdx1-ca', { 'tls.crt': w.emu.server.certificate! });
    w.clock.t += 10 * 60_000; // past the backoff
    await w.run();
    assert.match(w.cond('Reachable')?.message ?? '', /has no key ca\.crt/);
    w.api.secrets.set('hil-system/vdx1-ca', { 'ca.crt': w.emu.server.certificate! });
    w.clock.t += 10 * 60_000;
    await w.run();
    assert.equal(w.cond('Reachable')?.status, 'True', JSON.stringify(w.cond('Reachable')));
    assert.equal(w.api.get('networkattachments', 'a1')?.status?.phase, 'Attached');
    const p = w.emu.running.ports.get('1/0/1')!;
    assert.deepEqual([p.nativeVlan, p.shutdown], [101, false]);
    assert.equal(w.emu.startup.ports.get('1/0/1')!.nativeVlan, 101, 'saved');
    assert.equal(w.emu.running.ports.get('1/0/2')!.shutdown, true, 'the other port stays parked');
  });
});
