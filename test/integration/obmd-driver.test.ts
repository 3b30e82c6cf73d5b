// The obmd OBM driver against the obmd emulator, which drives ipmi_sim with real ipmitool: power, boot device,
// the console stream, the token dance (one token per node, taken back by whoever asks next), revocation, and errors
// with what obmd meant — and nothing reaches a URL unvalidated.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { isObmError, ObmdObmDriver, type ObmConfig } from '../../drivers/obm/index.js';
import { until } from '../support/controllers.js';
import { startIpmiSims, type IpmiSims, type SimBmc } from '../support/ipmi-sim.js';
import { registerObmdNode, startObmdEmulator, type ObmdEmulator } from '../support/obmd-emulator.js';
import { freePort } from '../support/server.js';

describe('obmd OBM driver (obmd emulator in front of ipmi_sim)', () => {
  let sims: IpmiSims;
  let obmd: ObmdEmulator;
  let b1: SimBmc;
  let cfg: ObmConfig;
  const driver = new ObmdObmDriver({ callTimeoutMs: 15_000 });
  const rejects = async (p: Promise<unknown>, code: string, re: RegExp) => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isObmError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    });
  };

  before(async () => {
    [sims, obmd] = await Promise.all([startIpmiSims(1, { prefix: 'obmd' }), startObmdEmulator()]);
    b1 = sims.bmcs[0]!;
    const uri = await registerObmdNode(obmd, 'node-1', b1);
    cfg = { host: '', uri, credentials: { username: 'admin', password: obmd.adminToken } };
  });
  after(async () => {
    await obmd?.stop();
    await sims?.stop();
  });

  test('power on, status, cycle and off reach the BMC; one node token serves every call', async () => {
    assert.equal(await driver.powerStatus(cfg), 'Off');
    await driver.setPower(cfg, 'On');
    assert.equal(b1.power(), '1');
    assert.equal(await driver.powerStatus(cfg), 'On');
    const before = b1.ops().length;
    await driver.powerCycle(cfg);
    // ipmi_sim turns the chassis back on a moment after the cycle's off.
    await until(
      async () => b1.ops().slice(before).join(',') === 'power 0,power 1',
      'the BMC to go off and on again',
      10_000,
      () => b1.ops().join(','),
    );
    await driver.setPower(cfg, 'Off');
    assert.equal(b1.power(), '0');
    assert.equal(obmd.requests.filter((r) => r === 'POST /node/node-1/token').length, 1);
  });

  test('the boot device is set persistently on the BMC and reported back', async () => {
    await driver.setBootDevice(cfg, 'pxe');
    assert.equal(b1.boot(), 'pxe');
    assert.equal(await driver.bootDevice(cfg), 'pxe');
  });

  test('a token taken by another holder is renewed once; a revoked token too', async () => {
    const r = await fetch(`${cfg.uri}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`admin:${obmd.adminToken}`).toString('base64')}` },
    });
    assert.equal(r.status, 200);
    const tokensBefore = obmd.requests.filter((x) => x.endsWith('/token')).length;
    assert.equal(await driver.powerStatus(cfg), 'Off');
    assert.equal(obmd.requests.filter((x) => x.endsWith('/token')).length, tokensBefore + 1);
    await driver.revokeAccess(cfg);
    assert.ok(obmd.requests.includes('DELETE /node/node-1/token'));
    assert.equal(await driver.powerStatus(cfg), 'Off');
  });

  test("the console streams the BMC's SOL; revoking the token ends it", async () => {
    const session = driver.openConsole(cfg);
    let got = '';
    let ended: Error | undefined | 'no' = 'no';
    session.onData((c) => (got += c.toString('latin1')));
    session.onEnd((e) => (ended = e));
    await until(async () => obmd.consoleOpen('node-1') && b1.serialConnected(), 'the console to open');
    await until(
      async () => {
        b1.serial('hello from node-1\r\n');
        return got.includes('hello from node-1');
      },
      'console output',
      10_000,
      () => JSON.stringify(got),
    );
    await driver.revokeAccess(cfg);
    await until(async () => ended !== 'no', 'the console to end');
    assert.match(String((ended as unknown as Error)?.message), /obmd ended the console/);
    await session.close();
  });

  test("obmd's errors, with what obmd means", async () => {
    const wrongAdmin = { ...cfg, credentials: { username: 'admin', password: '0'.repeat(32) } };
    await rejects(driver.powerStatus({ ...wrongAdmin, uri: `${obmd.url}/node/other` }), 'auth', /404.*admin token/);
    const gone = { ...cfg, uri: `${obmd.url}/node/nobody` };
    await rejects(driver.setPower(gone, 'On'), 'auth', /POST \/token .*404/);
    const dead = `http://127.0.0.1:${await freePort()}/node/x`;
    await rejects(driver.powerStatus({ ...cfg, uri: dead }), 'unreachable', /cannot reach obmd/);
    // An obmd that never answers.
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const quick = new ObmdObmDriver({ callTimeoutMs: 300 });
    try {
      const port = (silent.address() as { port: number }).port;
      await rejects(quick.powerStatus({ ...cfg, uri: `http://127.0.0.1:${port}/node/x` }), 'timeout', /300 ms/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('every value is validated before anything is sent', async () => {
    const n = obmd.requests.length;
    for (const uri of ['ftp://h/node/x', 'http://h/node/x?token=1', 'http://u:p@h/node/x', 'not a url', '']) {
      await rejects(driver.powerStatus({ ...cfg, uri }), 'invalid', /spec\.obm\.uri/);
    }
    for (const password of ['short', 'g'.repeat(32), `${'a'.repeat(32)}\n`]) {
      await rejects(
        driver.powerStatus({ ...cfg, credentials: { username: 'admin', password } }),
        'invalid',
        /admin token/,
      );
    }
    assert.equal(obmd.requests.length, n, 'no request reached obmd');
    // The admin token never appears in an error.
    const wrong = '1'.repeat(32);
    await assert.rejects(
      driver.powerStatus({ ...cfg, uri: `${obmd.url}/node/zz`, credentials: { username: 'admin', password: wrong } }),
      (e: Error) => !e.message.includes(wrong),
    );
  });
});
