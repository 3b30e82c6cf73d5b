// `hil node obm|power|bootdev|console` (hilcli/commands/node-obm.ts), spawned as a user runs them, against an in-process
// server with the node controller, an obmd (the emulator) and ipmi_sim behind it: a node registered with
// `hil node register NODE OBMD_URI TOKEN`, its OBM enabled, powered on, cycled, booted from pxe and read back from
// the simulated BMC; `power status` prints what HIL's prints; `console show` streams the SOL output until Ctrl-C;
// with the OBM disabled the calls fail with HIL's "Error: OBM is not enabled" and exit 1.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAdminUser } from '../../apiserver/admin-tasks.js';
import { packageRoot } from '../../common/paths.js';
import { until } from '../support/controllers.js';
import type { SimBmc } from '../support/ipmi-sim.js';
import type { ObmdEmulator } from '../support/obmd-emulator.js';
import { startObmdLab, type ObmdLab } from '../support/obmd-lab.js';
import { TSX_LOADER, type InProcessServer } from '../support/server.js';

describe('hil CLI: node obm, power, bootdev and console', () => {
  let lab: ObmdLab;
  let srv: InProcessServer;
  let obmd: ObmdEmulator;
  let bmc: SimBmc;
  let uri: string;
  let env: NodeJS.ProcessEnv;
  const argv = (args: string[]) => ['--import', TSX_LOADER, join(packageRoot(), 'cmd', 'hil.ts'), ...args];
  const hil = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, argv(args), { env }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  const ok = async (args: string[]) => {
    const r = await hil(args);
    assert.equal(r.code, 0, `hil ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    lab = await startObmdLab('clobm', 'n1');
    ({ srv, obmd, bmc, uri } = lab);
    await createAdminUser(srv.store, 'root', 'root-password');
    await lab.startControllers('root');
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HIL_ENDPOINT: srv.url,
      HIL_USERNAME: 'root',
      HIL_PASSWORD: 'root-password',
    };
  });
  after(async () => {
    await lab?.stop();
  });

  test('register, enable, power on/status/cycle/off and bootdev reach the BMC', async () => {
    await ok(['node', 'register', 'n1', uri, obmd.adminToken]);
    const off = await hil(['node', 'power', 'on', 'n1']);
    assert.equal(off.code, 1);
    assert.equal(off.stderr, 'Error: OBM is not enabled\n');
    await ok(['node', 'obm', 'enable', 'n1']);
    assert.equal(await ok(['node', 'power', 'on', 'n1']), '');
    assert.equal(bmc.power(), '1');
    assert.equal(await ok(['node', 'power', 'status', 'n1']), "{'power_status': 'on'}\n");
    const before = bmc.ops().length;
    await ok(['node', 'power', 'cycle', 'n1']);
    await until(
      async () => bmc.ops().slice(before).join(',') === 'power 0,power 1',
      'the BMC to be cycled',
      10_000,
      () => bmc.ops().join(','),
    );
    await ok(['node', 'bootdev', 'n1', 'pxe']);
    assert.equal(bmc.boot(), 'pxe');
    await ok(['node', 'power', 'off', 'n1']);
    assert.match(await bmc.ipmitool('chassis', 'power', 'status'), /is off/);
    const missing = await hil(['node', 'power', 'status', 'nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: Node nope does not exist.\n');
  });

  test('console show streams until Ctrl-C; with the OBM disabled it fails as HIL', async () => {
    const child = spawn(process.execPath, argv(['node', 'console', 'show', 'n1']), { env });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await until(async () => obmd.consoleOpen('n1') && bmc.serialConnected(), 'the console to open', 20_000);
      await until(
        async () => {
          bmc.serial('n1 login: ');
          return text.includes('n1 login: ');
        },
        'console output from hil node console show',
        10_000,
        () => JSON.stringify(text),
      );
      child.kill('SIGINT');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
    await ok(['node', 'obm', 'disable', 'n1']);
    const r = await hil(['node', 'console', 'show', 'n1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: OBM is not enabled\n');
  });
});
