// The login throttle on its own, with a fake clock: the window, Retry-After, taking back successes, address keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../apiserver/errors.js';
import { addressKey, LoginThrottle } from '../../apiserver/auth/throttle.js';

const throttled = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail('not throttled');
};

test('per address: the limit, then 429 until the oldest failure leaves the window', () => {
  let now = 1_000_000;
  const t = new LoginThrottle({ maxFailuresPerAddress: 3, maxFailuresPerUser: 100, windowMs: 60_000 }, () => now);
  t.begin('10.0.0.1', 'a');
  now += 10_000;
  t.begin('10.0.0.1', 'b');
  t.begin('10.0.0.1', 'c');
  const e = throttled(() => t.begin('10.0.0.1', 'd'));
  assert.equal(e.code, 429);
  assert.equal(e.reason, 'TooManyRequests');
  assert.equal(e.details?.retryAfterSeconds, 50);
  t.begin('10.0.0.2', 'd'); // another address
  now += 50_000;
  t.begin('10.0.0.1', 'd'); // the first failure has left the window
});

test('per user name, across addresses', () => {
  const t = new LoginThrottle({ maxFailuresPerAddress: 100, maxFailuresPerUser: 2, windowMs: 60_000 }, () => 5);
  t.begin('10.0.0.1', 'root');
  t.begin('10.0.0.2', 'root');
  assert.match(throttled(() => t.begin('10.0.0.3', 'root')).message, /for this user name/);
  t.begin('10.0.0.3', 'alice');
});

test('a login that succeeds is taken back', () => {
  const t = new LoginThrottle({ maxFailuresPerAddress: 2, maxFailuresPerUser: 100, windowMs: 60_000 }, () => 5);
  for (let i = 0; i < 10; i++) t.begin('10.0.0.1', 'a')();
  t.begin('10.0.0.1', 'a');
  t.begin('10.0.0.1', 'a');
  throttled(() => t.begin('10.0.0.1', 'a'));
});

test('address keys: IPv4-mapped as IPv4, IPv6 by its /64', () => {
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
});
