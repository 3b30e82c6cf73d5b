// The OBM drivers without BMCs: every value is validated before ipmitool runs (and the password is never echoed),
// the ipmi driver's command line carries no password (-E, the password in the environment) — checked with a stand-in
// ipmitool that records what it was given —, ipmitool's failures become codes a user can act on, a hung call is
// killed; the console hub shares one session per node, replays recent output, never across tenancies, and stops the
// session when the last reader leaves.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  ConsoleHub,
  createObmRegistry,
  IpmiObmDriver,
  isObmError,
  MockObmDriver,
  ObmError,
  validateBmc,
} from '../../drivers/obm/index.js';
import { classify } from '../../drivers/obm/ipmi/ipmi-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'hil-fake-ipmitool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in ipmitool: records argv and IPMI_PASSWORD, then behaves as told by FAKE_MODE in its own file. */
function fakeIpmitool(mode: 'on' | 'auth' | 'dead' | 'hang' | 'bootpxe'): string {
  const path = join(dir, `ipmitool-${mode}`);
  const body: Record<string, string> = {
    on: 'echo "Chassis Power is on"',
    bootpxe: 'echo " - Boot Device Selector : Force PXE"',
    auth: 'echo "> RAKP 2 HMAC is invalid" >&2; echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1',
    dead: 'echo "Get Auth Capabilities error" >&2; echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1',
    hang: 'exec sleep 5',
  };
  writeFileSync(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${path}.argv"\nprintf '%s' "$IPMI_PASSWORD" > "${path}.env"\n${body[mode]}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

const bmc = { host: '10.0.0.5', port: 6230, credentials: { username: 'admin', password: 'S3cret-pw' } };

describe('OBM input validation', () => {
  for (const [what, cfg] of [
    ['a host starting with -', { host: '-oProxyCommand=x' }],
    ['a host with a space', { host: 'a b' }],
    ['a host with ;', { host: 'h;reboot' }],
    ['port 0', { host: 'h', port: 0 }],
    ['port 70000', { host: 'h', port: 70000 }],
    ['a user name starting with -', { host: 'h', credentials: { username: '-Ux', password: 'p' } }],
    ['a user name with a space', { host: 'h', credentials: { username: 'ad min', password: 'p' } }],
    ['a password with a newline', { host: 'h', credentials: { username: 'admin', password: 'pa\nss' } }],
    ['a password over 20 bytes', { host: 'h', credentials: { username: 'admin', password: 'x'.repeat(21) } }],
  ] as const) {
    test(`refuses ${what}, naming the field, never the password`, () => {
      assert.throws(
        () => validateBmc(cfg),
        (err: unknown) => isObmError(err, 'invalid') && !/pa\nss|xxxxxxxxxxxxxxxxxxxxx/.test((err as Error).message),
      );
    });
  }
  test('accepts host names, IPv4 and IPv6', () => {
    for (const host of ['bmc-01.lab', '10.1.2.3', '::1', '[fe80::1%eth0]'])
      assert.equal(validateBmc({ host }).host, host);
  });
});

describe('ipmi driver (stand-in ipmitool)', () => {
  test('the password goes through the environment (-E), never the command line', async () => {
    const tool = fakeIpmitool('on');
    const seen: string[][] = [];
    const d = new IpmiObmDriver({ ipmitool: tool, onSpawn: (a) => seen.push([...a]) });
    assert.equal(await d.powerStatus(bmc), 'On');
    const argv = readFileSync(`${tool}.argv`, 'utf8').trim().split('\n');
    assert.deepEqual(argv, [
      '-I',
      'lanplus',
      '-C',
      '3',
      '-N',
      '1',
      '-R',
      '2',
      '-H',
      '10.0.0.5',
      '-p',
      '6230',
      '-U',
      'admin',
      '-E',
      '-v',
      'chassis',
      'power',
      'status',
    ]);
    assert.equal(readFileSync(`${tool}.env`, 'utf8'), 'S3cret-pw');
    assert.ok(!seen.flat().includes('S3cret-pw'));
  });

  test('cipher suite, timeout and retries are configurable and checked', async () => {
    const tool = fakeIpmitool('bootpxe');
    const d = new IpmiObmDriver({ ipmitool: tool, cipherSuite: 17, timeoutSeconds: 3, retries: 4 });
    assert.equal(await d.bootDevice(bmc), 'pxe');
    assert.deepEqual(readFileSync(`${tool}.argv`, 'utf8').split('\n').slice(2, 8), ['-C', '17', '-N', '3', '-R', '4']);
    assert.throws(() => new IpmiObmDriver({ cipherSuite: 18 }), ObmError);
    assert.throws(() => new IpmiObmDriver({ retries: 0 }), ObmError);
  });

  test('invalid input: nothing runs', async () => {
    const tool = fakeIpmitool('on');
    rmSync(`${tool}.argv`, { force: true });
    const d = new IpmiObmDriver({ ipmitool: tool });
    await assert.rejects(d.setPower({ host: '-oops' }, 'On'), (e: unknown) => isObmError(e, 'invalid'));
    await assert.rejects(d.setBootDevice(bmc, 'floppy' as any), (e: unknown) => isObmError(e, 'invalid'));
    assert.throws(() => readFileSync(`${tool}.argv`));
  });

  test('refused credentials, a dead BMC and a hung call each get their own code', async () => {
    await assert.rejects(
      new IpmiObmDriver({ ipmitool: fakeIpmitool('auth') }).powerStatus(bmc),
      (e: unknown) =>
        isObmError(e, 'auth') &&
        /refused the credentials/.test((e as Error).message) &&
        !(e as Error).message.includes('S3cret'),
    );
    await assert.rejects(new IpmiObmDriver({ ipmitool: fakeIpmitool('dead') }).powerStatus(bmc), (e: unknown) =>
      isObmError(e, 'unreachable'),
    );
    const t0 = Date.now();
    await assert.rejects(
      new IpmiObmDriver({ ipmitool: fakeIpmitool('hang'), callTimeoutMs: 200 }).powerStatus(bmc),
      (e: unknown) => isObmError(e, 'timeout'),
    );
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal(classify('x', 'Error: something else').code, 'failed');
    // ipmi_sim killed in the middle of calls (seen): no answer, not refused credentials.
    assert.equal(
      classify(
        'x',
        '> Error: no response from RAKP 3 message\nSet Session Privilege Level to ADMINISTRATOR failed\nError: Unable to establish IPMI v2 / RMCP+ session',
      ).code,
      'unreachable',
    );
    assert.equal(
      classify('x', 'No valid response received\nUnable to get Chassis Power Status\nClose Session command failed')
        .code,
      'unreachable',
    );
    assert.equal(
      classify(
        'x',
        '> RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session',
      ).code,
      'auth',
    );
  });
});

describe('console hub (mock BMC)', () => {
  const reader = () => {
    const r = {
      text: '',
      ended: false as boolean | Error | undefined,
      write: (c: Buffer) => (r.text += c.toString()),
      end: (e?: Error) => (r.ended = e ?? true),
    };
    return r;
  };
  const settle = () => new Promise((r) => setImmediate(r));

  test('one session per node shared by readers; recent output for late readers; stopped when the last leaves', async () => {
    const mock = new MockObmDriver();
    const hub = new ConsoleHub(createObmRegistry({ mock }));
    const target = { node: 'n1', tenancy: 'uid/p1', type: 'mock', bmc: { host: 'bmc-n1' } };
    const a = reader();
    const detachA = hub.attach(target, a);
    await settle();
    mock.bmc('bmc-n1').write('line 1\n');
    const b = reader();
    const detachB = hub.attach(target, b);
    assert.equal(hub.recent('n1', 'uid/p1').toString(), 'line 1\n');
    mock.bmc('bmc-n1').write('line 2\n');
    assert.equal(a.text, 'line 1\nline 2\n');
    assert.equal(b.text, 'line 2\n');
    assert.equal(mock.bmc('bmc-n1').counters.consoles, 1);
    detachA();
    assert.deepEqual(hub.sessions(), ['n1']);
    detachB();
    assert.deepEqual(hub.sessions(), []);
    assert.equal(mock.bmc('bmc-n1').consoles.size, 0);
  });

  test('a new tenancy (the node changed projects) ends the old readers and never sees their output', async () => {
    const mock = new MockObmDriver();
    const hub = new ConsoleHub(createObmRegistry({ mock }));
    const old = reader();
    hub.attach({ node: 'n1', tenancy: 'uid/p1', type: 'mock', bmc: { host: 'bmc-n1' } }, old);
    await settle();
    mock.bmc('bmc-n1').write('secret of p1\n');
    const next = reader();
    hub.attach({ node: 'n1', tenancy: 'uid/p2', type: 'mock', bmc: { host: 'bmc-n1' } }, next);
    assert.ok(old.ended instanceof Error);
    assert.equal(hub.recent('n1', 'uid/p2').length, 0);
    await settle();
    mock.bmc('bmc-n1').write('p2 output\n');
    assert.equal(next.text, 'p2 output\n');
    await hub.close();
  });

  test('an unknown OBM type or an unreachable BMC: attach throws, or the readers are ended with the reason', async () => {
    const mock = new MockObmDriver();
    const hub = new ConsoleHub(createObmRegistry({ mock }));
    assert.throws(
      () => hub.attach({ node: 'x', tenancy: 't', type: 'redfish', bmc: { host: 'h' } }, reader()),
      (e: unknown) => isObmError(e, 'unsupported'),
    );
    mock.bmc('bmc-down').configure({ down: true });
    const r = reader();
    hub.attach({ node: 'd', tenancy: 't', type: 'mock', bmc: { host: 'bmc-down' } }, r);
    await settle();
    await settle();
    assert.ok(r.ended instanceof Error && /no answer/.test(r.ended.message));
    assert.deepEqual(hub.sessions(), []);
  });
});
