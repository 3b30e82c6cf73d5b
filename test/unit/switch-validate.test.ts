// The validation every switch driver shares, and the port-state helpers the controller uses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import { changesNeeded, describePort, isRevert, parkedChange, portInSync } from '../../drivers/switch/port-state.js';
import { createRegistry, driverFor } from '../../drivers/switch/registry.js';
import type { SwitchCapabilities } from '../../drivers/switch/switch-driver.js';
import {
  assertConfigBasics,
  assertCredentials,
  assertInterfaceName,
  assertSafeToken,
  assertVlan,
  INTERFACE_PATTERN,
  resolveOptions,
  validateChanges,
} from '../../drivers/switch/validate.js';

const full: SwitchCapabilities = {
  trunk: true,
  nativeVlan: true,
  nativelessTrunk: true,
  parking: 'vlan',
  defaultParkingVlan: 4095,
  interfacePattern: INTERFACE_PATTERN,
};
const accessOnly: SwitchCapabilities = {
  ...full,
  trunk: false,
  nativelessTrunk: false,
  parking: 'shutdown',
  interfacePattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/,
};
const nativeFirst: SwitchCapabilities = { ...full, nativelessTrunk: false };

function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof SwitchError, String(err));
    return err.code;
  }
  return 'ok';
}

describe('port names', () => {
  const good = ['gi1/0/3', 'te1/0/48', 'Ethernet1/1', '1/0/3', 'p1', 'x100', 'veth-a.b_c', 'Port-channel:1'];
  const bad = [
    '',
    ' p1',
    'p1 ',
    'p 1',
    'p1\n',
    'p1\r',
    'p1;reboot',
    'p1|x',
    'p1&',
    '$(x)',
    '`x`',
    "p'1",
    'p"1',
    'p1\\',
    '-p1',
    '/p1',
    'p1>x',
    'p1#',
    'p1*',
    'p1?',
    'p1!',
    'a'.repeat(65),
    'p1\u0000',
    'pé',
  ];
  for (const name of good) test(`accepts ${JSON.stringify(name)}`, () => assert.equal(assertInterfaceName(name), name));
  for (const name of bad)
    test(`refuses ${JSON.stringify(name)}`, () =>
      assert.equal(
        code(() => assertInterfaceName(name)),
        'invalid',
      ));
  test('a driver narrows the syntax (Linux: 15 characters, no slash)', () => {
    assert.equal(
      code(() => assertInterfaceName('gi1/0/3', accessOnly)),
      'invalid',
    );
    assert.equal(
      code(() => assertInterfaceName('a'.repeat(16), accessOnly)),
      'invalid',
    );
    assert.equal(assertInterfaceName('a'.repeat(15), accessOnly), 'a'.repeat(15));
  });
  test('non-strings are refused', () => {
    for (const v of [undefined, null, 1, {}, ['p1']])
      assert.equal(
        code(() => assertInterfaceName(v)),
        'invalid',
      );
  });
});

describe('VLANs', () => {
  test('1-4094 are accepted', () => {
    for (const v of [1, 2, 100, 4093, 4094]) assert.equal(assertVlan(v, undefined), v);
  });
  test('0, 4095, 4096, negatives, fractions, strings, NaN are refused', () => {
    for (const v of [0, 4095, 4096, -1, 1.5, '10', NaN, Infinity, null, undefined, [10]])
      assert.equal(
        code(() => assertVlan(v, undefined)),
        'invalid',
        String(v),
      );
  });
  test("the switch's parking VLAN is refused", () => {
    assert.equal(
      code(() => assertVlan(3999, 3999)),
      'invalid',
    );
    assert.equal(assertVlan(3998, 3999), 3998);
  });
});

describe('a batch of changes', () => {
  test('normalizes: native undefined when absent or null, tagged ascending', () => {
    assert.deepEqual(
      validateChanges(
        [
          { interface: 'p1', native: null, tagged: [30, 10, 20] },
          { interface: 'p2', tagged: [] },
        ],
        full,
        4095,
      ),
      [
        { interface: 'p1', native: undefined, tagged: [10, 20, 30] },
        { interface: 'p2', native: undefined, tagged: [] },
      ],
    );
  });
  test('collects every offending port into one invalid error', () => {
    try {
      validateChanges(
        [
          { interface: 'p1', native: 0, tagged: [] },
          { interface: 'p2', native: 10, tagged: [] },
          { interface: 'p3;x', native: 10, tagged: [] },
        ],
        full,
        4095,
      );
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof SwitchError);
      assert.equal(err.code, 'invalid');
      assert.deepEqual(err.ports, ['p1', 'p3;x']);
      assert.equal(err.retryable, false);
    }
  });
  test('refuses duplicates: a port twice, a tagged VLAN twice, native also tagged', () => {
    assert.equal(
      code(() =>
        validateChanges(
          [
            { interface: 'p1', tagged: [] },
            { interface: 'p1', tagged: [] },
          ],
          full,
          4095,
        ),
      ),
      'invalid',
    );
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', tagged: [5, 5] }], full, 4095)),
      'invalid',
    );
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', native: 5, tagged: [5] }], full, 4095)),
      'invalid',
    );
  });
  test('refuses non-arrays and non-objects', () => {
    assert.equal(
      code(() => validateChanges('p1', full, 4095)),
      'invalid',
    );
    assert.equal(
      code(() => validateChanges([null], full, 4095)),
      'invalid',
    );
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', tagged: 5 }], full, 4095)),
      'invalid',
    );
  });
  test('what the switch cannot do is unsupported (after every value is valid)', () => {
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', native: 10, tagged: [11] }], accessOnly, undefined)),
      'unsupported',
    );
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', tagged: [11] }], nativeFirst, 4095)),
      'unsupported',
    );
    assert.equal(
      code(() => validateChanges([{ interface: 'p1', native: 10, tagged: [11] }], nativeFirst, 4095)),
      'ok',
    );
    // a malformed value wins over a capability refusal
    assert.equal(
      code(() =>
        validateChanges(
          [
            { interface: 'p1', native: 10, tagged: [11] },
            { interface: 'p2', native: 0, tagged: [] },
          ],
          accessOnly,
          undefined,
        ),
      ),
      'invalid',
    );
  });
});

describe('config, options, credentials, tokens', () => {
  test('addresses: host, IP, URL and OVSDB remotes pass; metacharacters and newlines do not', () => {
    for (const a of [
      '192.0.2.10',
      'switch-01.example.com',
      'https://10.0.0.1:8008',
      'unix:/run/openvswitch/db.sock',
      'tcp:127.0.0.1:6640',
      '[::1]',
    ]) {
      assert.doesNotThrow(() => assertConfigBasics({ address: a }), a);
    }
    for (const a of ['', 'a b', 'a;b', 'a\nb', 'a|b', '$(x)', '`x`', '-oProxyCommand=x', 'a'.repeat(256)]) {
      assert.equal(
        code(() => assertConfigBasics({ address: a })),
        'invalid',
        a,
      );
    }
  });
  test('options: unknown keys and metacharacters are refused; defaults fill in', () => {
    const spec = { bridge: { pattern: /^[a-z0-9]+$/ }, wait: { pattern: /^(true|false)$/, default: 'true' } };
    assert.deepEqual(resolveOptions({ bridge: 'sw0' }, spec), { bridge: 'sw0', wait: 'true' });
    assert.equal(
      code(() => resolveOptions({ nope: 'x' }, spec)),
      'invalid',
    );
    assert.equal(
      code(() => resolveOptions({ bridge: 'sw0;x' }, spec)),
      'invalid',
    );
    assert.equal(
      code(() => resolveOptions({ bridge: 'SW0' }, spec)),
      'invalid',
    );
    assert.equal(
      code(() => resolveOptions({ bridge: 'sw0\n' }, spec)),
      'invalid',
    );
  });
  test('credentials: a plain user name; a password with symbols but no control characters', () => {
    assert.deepEqual(assertCredentials({ username: 'admin', password: 'p@ss;w$rd#1 x' }), {
      username: 'admin',
      password: 'p@ss;w$rd#1 x',
    });
    assert.equal(
      code(() => assertCredentials({ username: 'ad min', password: 'x' })),
      'invalid',
    );
    assert.equal(
      code(() => assertCredentials({ username: 'admin;', password: 'x' })),
      'invalid',
    );
    assert.equal(
      code(() => assertCredentials({ username: 'admin', password: 'x\nconfigure terminal' })),
      'invalid',
    );
    assert.equal(
      code(() => assertCredentials({ username: 'admin', password: '' })),
      'invalid',
    );
    assert.equal(
      code(() => assertCredentials({ username: 'admin', password: 'x\u0003' })),
      'invalid',
    );
  });
  test('safe tokens are letters, digits and ._:/@[]%+~=,- only', () => {
    assert.equal(assertSafeToken('br101', 't'), 'br101');
    for (const t of ['', 'a b', 'a;b', 'a\tb', 'a"b', "a'b", 'a\\b', 'a$b', 'a*b', 'a#b'])
      assert.equal(
        code(() => assertSafeToken(t, 't')),
        'invalid',
        t,
      );
  });
});

describe('port states', () => {
  test('portInSync: revert wants parked; a VLAN state wants exactly it, not parked; anomalies never match', () => {
    assert.ok(portInSync(parkedChange('p1'), { interface: 'p1', tagged: [], parked: true, shutdown: false }));
    assert.ok(!portInSync(parkedChange('p1'), { interface: 'p1', tagged: [], parked: false, shutdown: false }));
    assert.ok(
      portInSync(
        { native: 10, tagged: [12, 11] },
        { interface: 'p1', native: 10, tagged: [11, 12], parked: false, shutdown: false },
      ),
    );
    assert.ok(
      !portInSync(
        { native: 10, tagged: [] },
        { interface: 'p1', native: 10, tagged: [11], parked: false, shutdown: false },
      ),
    );
    assert.ok(
      !portInSync(
        { native: 10, tagged: [] },
        { interface: 'p1', native: 10, tagged: [], parked: false, shutdown: true },
      ),
    );
    assert.ok(
      !portInSync(
        { native: null, tagged: [11] },
        { interface: 'p1', native: 10, tagged: [11], parked: false, shutdown: false },
      ),
    );
    assert.ok(
      !portInSync(parkedChange('p1'), { interface: 'p1', tagged: [], parked: true, shutdown: false, anomaly: 'x' }),
    );
  });
  test('changesNeeded keeps only ports out of sync (and ports not observed)', () => {
    const desired = [
      parkedChange('p1'),
      { interface: 'p2', native: 5, tagged: [] },
      { interface: 'p3', native: 6, tagged: [] },
    ];
    const observed = [
      { interface: 'p1', tagged: [], parked: true, shutdown: false },
      { interface: 'p2', native: 4, tagged: [], parked: false, shutdown: false },
    ];
    assert.deepEqual(
      changesNeeded(desired, observed).map((c) => c.interface),
      ['p2', 'p3'],
    );
  });
  test('describePort says it in words', () => {
    assert.equal(describePort({ native: null, tagged: [] }), 'parked');
    assert.equal(describePort({ native: 10, tagged: [12, 11] }), 'native 10, tagged 11,12');
    assert.equal(describePort({ tagged: [3], parked: false, anomaly: 'odd' }), 'tagged 3, (odd)');
    assert.ok(isRevert({ tagged: [] }) && !isRevert({ native: 1, tagged: [] }));
  });
});

describe('the driver registry', () => {
  test('serves ovs, linuxbridge, mock, the CLI and the REST switches; refuses unknown types as unsupported', () => {
    const reg = createRegistry();
    assert.deepEqual(reg.types(), [
      'arista-eos',
      'brocade',
      'cisco-catalyst',
      'cisco-nexus',
      'dell-n3000',
      'dell-powerconnect',
      'dellnos9',
      'linuxbridge',
      'mock',
      'ovs',
    ]);
    for (const t of reg.types()) assert.equal(reg.driverFor(t).type, t);
    assert.equal(reg.driverFor('mock'), reg.driverFor('mock'), 'one driver instance per type');
    assert.equal(
      code(() => reg.driverFor('toString')),
      'unsupported',
    );
    assert.equal(
      code(() => driverFor('nope')),
      'unsupported',
    );
  });
});
