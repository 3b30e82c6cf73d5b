// The node controller's settings from hil.cfg and flags: the maintenance pool, ipmitool knobs, workers; bad values
// are a ConfigError naming the section and key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseHilConfig } from '../../config/hilcfg.js';
import { nodeSettings } from '../../controllers/node/config.js';

test('defaults: no maintenance pool, release power-off on', () => {
  const s = nodeSettings(undefined);
  assert.equal(s.maintenance, undefined);
  assert.equal(s.releasePowerOff, true);
  assert.equal(s.workers, undefined);
  assert.deepEqual(s.obmRegistry!.types(), ['ipmi', 'mock', 'obmd']);
});

test('[maintenance] and flags', () => {
  const cfg = parseHilConfig('[maintenance]\nmaintenance_project = wipe\nurl = http://wiper.example/hil\n');
  const s = nodeSettings(cfg, { obmWorkers: '8', releasePowerOff: false });
  assert.deepEqual(s.maintenance, { project: 'wipe', url: 'http://wiper.example/hil' });
  assert.equal(s.workers, 8);
  assert.equal(s.releasePowerOff, false);
  assert.deepEqual(nodeSettings(parseHilConfig('[maintenance]\nmaintenance_project = wipe\n')).maintenance, {
    project: 'wipe',
  });
});

test('bad values are refused, naming what is wrong', () => {
  const bad: [string, RegExp][] = [
    ['[maintenance]\nurl = http://x/\n', /url is set but maintenance_project is not/],
    ['[maintenance]\nmaintenance_project = Not_A_Name\n', /not a valid project name/],
    ['[maintenance]\nmaintenance_project = w\nurl = ftp://x\n', /not an http\(s\) URL/],
    ['[hil.ext.obm.ipmi]\ncipher_suite = 18\n', /\[hil.ext.obm.ipmi\] cipher_suite "18"/],
    ['[hil.ext.obm.ipmi]\nretries = 0\n', /retries "0"/],
    ['[hil.ext.obm.ipmi]\ntimeout = x\n', /timeout "x"/],
  ];
  for (const [text, msg] of bad)
    assert.throws(
      () => nodeSettings(parseHilConfig(text)),
      (e: unknown) => e instanceof ConfigError && msg.test(e.message),
      text,
    );
  assert.throws(() => nodeSettings(undefined, { obmWorkers: '0' }), /--obm-workers "0"/);
});
