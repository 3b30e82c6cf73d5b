// OpenIPMI's ipmi_sim as BMCs for tests: one process per node, each on its own free UDP port with a fresh state
// folder under os.tmpdir(). Power and boot device live in files, through a `chassis_control` script (lab-notes §5),
// so a test can read them and change power "by hand" with ipmitool. Each BMC's SOL (serial console) is a TCP
// "serial port" served here (`sol "tcp:127.0.0.1:PORT"` in lan.conf): `serial(text)` writes to it.
//
//   const sims = await startIpmiSims(3);   …   after(() => sims.stop());
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHASSIS_CONTROL = `#!/bin/sh
# chassis_control for ipmi_sim: PROG DIR get power|boot…  /  PROG DIR set power 1|0 | reset 1 | boot DEV …
dir="$1"; shift
op="$1"; shift
if [ "$op" = get ]; then
  for p in "$@"; do
    case "$p" in
      power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)";;
      boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)";;
    esac
  done
else
  while [ $# -gt 1 ]; do
    echo "$1 $2" >> "$dir/ops"
    case "$1" in
      power) echo "$2" > "$dir/power";;
      reset) echo 1 > "$dir/power";;
      boot) echo "$2" > "$dir/boot";;
    esac
    shift 2
  done
fi
`;

export interface SimBmc {
  name: string;
  host: string;
  port: number;
  username: string;
  password: string;
  dir: string;
  /** '1' or '0', as the chassis_control state file says. */
  power(): string;
  boot(): string;
  /** Every `set` the BMC did, e.g. ["power 1", "boot pxe"]. */
  ops(): string[];
  /** Runs ipmitool against this BMC (by hand, as an admin would), password through -E. */
  ipmitool(...args: string[]): Promise<string>;
  /** Writes to the node's serial port (seen through SOL). */
  serial(text: string): void;
  /** Whether ipmi_sim is connected to the serial port. */
  serialConnected(): boolean;
  /** Kills ipmi_sim (the BMC is down); start() brings it back with the same state. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop(), then removes the folder and the serial port. */
  destroy(): Promise<void>;
}

export interface IpmiSims {
  bmcs: SimBmc[];
  stop(): Promise<void>;
}

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const EMU = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
`;

export async function startIpmiSims(n: number, opts: { prefix?: string } = {}): Promise<IpmiSims> {
  const bmcs: SimBmc[] = [];
  try {
    for (let i = 0; i < n; i++) bmcs.push(await startOne(`${opts.prefix ?? 'node'}${i + 1}`));
  } catch (err) {
    await Promise.all(bmcs.map((b) => b.destroy()));
    throw err;
  }
  return { bmcs, stop: async () => void (await Promise.all(bmcs.map((b) => b.destroy()))) };
}

async function startOne(name: string): Promise<SimBmc> {
  const dir = mkdtempSync(join(tmpdir(), `hil-ipmisim-${name}-`));
  const state = join(dir, 'state');
  const files = join(dir, 'chassis');
  mkdirSync(state);
  mkdirSync(files);
  writeFileSync(join(files, 'power'), '0\n');
  const ctl = join(dir, 'chassisctl.sh');
  writeFileSync(ctl, CHASSIS_CONTROL);
  chmodSync(ctl, 0o755);
  const password = `pw-${randomBytes(6).toString('hex')}`;

  // The serial port ipmi_sim connects to for SOL.
  const sockets = new Set<net.Socket>();
  const serialServer = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => serialServer.listen(0, '127.0.0.1', () => r()));
  const serialPort = (serialServer.address() as net.AddressInfo).port;

  const port = await freeUdpPort();
  writeFileSync(
    join(dir, 'lan.conf'),
    `name "${name}"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 ${port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "${ctl} ${files}"
  sol "tcp:127.0.0.1:${serialPort}" 115200
  user 1 true  ""      "test"   user  10 none md2 md5 straight
  user 2 true  "admin" "${password}" admin 10 none md2 md5 straight
`,
  );
  writeFileSync(join(dir, `${name}.emu`), EMU);

  let child: ChildProcess | undefined;
  const bmc: SimBmc = {
    destroy: async () => {},
    name,
    host: '127.0.0.1',
    port,
    username: 'admin',
    password,
    dir,
    power: () => readFileSync(join(files, 'power'), 'utf8').trim(),
    boot: () => {
      try {
        return readFileSync(join(files, 'boot'), 'utf8').trim();
      } catch {
        return 'default';
      }
    },
    ops: () => {
      try {
        return readFileSync(join(files, 'ops'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    ipmitool: (...args) =>
      new Promise((resolve, reject) => {
        execFile(
          'ipmitool',
          ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-E', ...args],
          { env: { ...process.env, IPMI_PASSWORD: password }, timeout: 15_000 },
          (err, stdout, stderr) =>
            err ? reject(new Error(`ipmitool ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
        );
      }),
    serial: (text) => {
      for (const s of sockets) s.write(text);
    },
    serialConnected: () => sockets.size > 0,
    async start() {
      if (child && child.exitCode === null) return;
      child = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, `${name}.emu`), '-s', state, '-n'], {
        stdio: ['ignore', 'ignore', 'ignore'],
        cwd: dir,
      });
      // Ready when it answers.
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await bmc.ipmitool('chassis', 'power', 'status');
          return;
        } catch (err) {
          if (child.exitCode !== null) throw new Error(`ipmi_sim ${name} exited with ${child.exitCode}`);
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      }
    },
  };
  bmc.destroy = async () => {
    await bmc.stop();
    for (const s of sockets) s.destroy();
    serialServer.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await bmc.start();
  } catch (err) {
    await bmc.destroy();
    throw err;
  }
  return bmc;
}
