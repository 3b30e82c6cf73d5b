// A real libvirtd (+ virtlogd) with the QEMU driver, started by a test and stopped by it, for the headnode e2e. No
// systemd: the daemons run detached with their own pid files; libvirtd gets a private libvirtd.conf (its own socket
// directory, log file) so it never touches a system libvirtd's socket. What a privileged QEMU driver reads from fixed
// places is handled carefully:
//   - /etc/libvirt/qemu.conf: created only when missing (user/group root, no dynamic ownership or security driver,
//     QEMU's stdio to a file) and removed again at stop; an existing one is left alone (QEMU then runs as it says);
//   - /run/libvirt, /var/lib/libvirt, /var/log/libvirt: created when missing (libvirt's own state lives there);
//   - domains: stop() destroys and undefines every domain whose name starts with one of `ownedPrefixes` first, so
//     nothing of ours outlives the test (persistent definitions in /etc/libvirt/qemu go with undefine).
// Optionally in a network namespace (`netns`): QEMU's taps are then created there, next to an OVS that runs there.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LIBVIRT_BINARIES = {
  libvirtd: ['/usr/sbin/libvirtd'],
  virtlogd: ['/usr/sbin/virtlogd'],
  qemu: ['/usr/bin/qemu-system-x86_64'],
  qemuImg: ['/usr/bin/qemu-img'],
  virsh: ['/usr/bin/virsh'],
};

function find(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

/** Why a real libvirtd + QEMU cannot run here, or undefined. */
export function libvirtdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (a privileged libvirtd creates taps)';
  const missing = Object.entries(LIBVIRT_BINARIES)
    .filter(([, p]) => !find(p))
    .map(([k]) => k);
  if (missing.length)
    return `missing ${missing.join(', ')} (apt-get install --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils; see hack/install-test-deps.sh)`;
  return undefined;
}

const QEMU_CONF = '/etc/libvirt/qemu.conf';
const MARK = '# written by HIL test/support/libvirtd.ts (removed when the test ends)\n';

export interface Libvirtd {
  /** Connection URI for this daemon: qemu:///system?socket=<private socket>. */
  uri: string;
  dir: string;
  virsh(...args: string[]): string;
  /** The daemon's log (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function startLibvirtd(opts: {
  netns?: string;
  env?: Record<string, string>;
  ownedPrefixes: string[];
}): Promise<Libvirtd> {
  const dir = mkdtempSync(join(tmpdir(), 'hil-libvirtd-'));
  const run = join(dir, 'run');
  mkdirSync(run);
  for (const d of ['/run/libvirt', '/var/lib/libvirt', '/var/log/libvirt', '/var/cache/libvirt'])
    mkdirSync(d, { recursive: true });
  // The QEMU driver resolves its default user before it reads qemu.conf, so the user must exist whatever qemu.conf
  // says (libvirt-daemon-system's postinst makes it; we do not install that package: it pulls in systemd).
  let madeUser = false;
  const madeGroups: string[] = [];
  if (spawnSync('id', ['-u', 'libvirt-qemu']).status !== 0) {
    for (const g of ['kvm', 'libvirt-qemu']) {
      if (spawnSync('getent', ['group', g]).status !== 0) {
        execFileSync('groupadd', ['-r', g]);
        madeGroups.push(g);
      }
    }
    execFileSync('useradd', [
      '-r',
      '-g',
      'libvirt-qemu',
      '-G',
      'kvm',
      '-s',
      '/usr/sbin/nologin',
      '-d',
      '/var/lib/libvirt',
      '-M',
      'libvirt-qemu',
    ]);
    madeUser = true;
  }
  // Folders libvirtd makes under /etc/libvirt at start: removed again if we caused them and they are empty.
  const etcDirs = ['/etc/libvirt/nwfilter', '/etc/libvirt/secrets', '/etc/libvirt/qemu', '/etc/libvirt/storage'].filter(
    (d) => !existsSync(d),
  );
  let wroteQemuConf = false;
  if (!existsSync(QEMU_CONF)) {
    mkdirSync('/etc/libvirt', { recursive: true });
    writeFileSync(
      QEMU_CONF,
      `${MARK}user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\nsecurity_driver = "none"\nstdio_handler = "file"\n`,
      { flag: 'wx' },
    );
    wroteQemuConf = true;
  }
  const conf = join(dir, 'libvirtd.conf');
  writeFileSync(
    conf,
    `unix_sock_dir = "${run}"\nunix_sock_rw_perms = "0700"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\nlog_outputs = "3:file:${join(dir, 'libvirtd.log')}"\n`,
  );
  const sock = join(run, 'libvirt-sock');
  const uri = `qemu:///system?socket=${sock}`;
  const pidFile = join(dir, 'libvirtd.pid');
  let virtlogdPid: number | undefined;
  const env = { ...process.env, ...(opts.env ?? {}) };
  const virsh = (...args: string[]) =>
    execFileSync(find(LIBVIRT_BINARIES.virsh)!, ['-c', uri, ...args], { encoding: 'utf8', timeout: 60_000 });

  let stopped = false;
  /** The same, synchronously and with SIGKILL: for exit hooks when the test process ends abnormally. */
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const v = find(LIBVIRT_BINARIES.virsh)!;
    const list = spawnSync(v, ['-c', uri, 'list', '--all', '--name'], { encoding: 'utf8', timeout: 10_000 });
    for (const n of (list.stdout ?? '')
      .split('\n')
      .map((x) => x.trim())
      .filter((n) => n && opts.ownedPrefixes.some((p) => n.startsWith(p)))) {
      spawnSync(v, ['-c', uri, 'destroy', n], { timeout: 10_000 });
      spawnSync(v, ['-c', uri, 'undefine', n], { timeout: 10_000 });
    }
    for (const pid of [readPid(pidFile), virtlogdPid]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    cleanupFiles();
  };
  const onExit = () => stopSync();
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync();
    process.kill(process.pid, sig);
  };
  process.once('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal);
  const unhook = () => {
    process.removeListener('exit', onExit);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, onSignal);
  };
  const cleanupFiles = () => {
    if (wroteQemuConf && existsSync(QEMU_CONF) && readFileSync(QEMU_CONF, 'utf8').startsWith(MARK)) rmSync(QEMU_CONF);
    if (madeUser) spawnSync('userdel', ['libvirt-qemu']);
    for (const g of madeGroups.reverse()) spawnSync('groupdel', [g]);
    madeGroups.length = 0;
    madeUser = false;
    for (const d of etcDirs) {
      try {
        if (existsSync(d) && readdirSync(d).length === 0) rmdirSync(d);
      } catch {
        /* not empty or gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unhook();
    // Our domains first (a QEMU outlives libvirtd otherwise), then the daemons, then what we wrote.
    if (existsSync(sock)) {
      try {
        const names = virsh('list', '--all', '--name')
          .split('\n')
          .map((s) => s.trim())
          .filter((n) => n && opts.ownedPrefixes.some((p) => n.startsWith(p)));
        for (const n of names) {
          spawnSync(find(LIBVIRT_BINARIES.virsh)!, ['-c', uri, 'destroy', n], { timeout: 30_000 });
          spawnSync(find(LIBVIRT_BINARIES.virsh)!, ['-c', uri, 'undefine', n], { timeout: 30_000 });
        }
      } catch {
        /* the daemon is gone: nothing to ask */
      }
    }
    for (const pid of [readPid(pidFile), virtlogdPid]) if (pid) await killAndWait(pid);
    cleanupFiles();
  };

  try {
    const pre = opts.netns ? ['ip', 'netns', 'exec', opts.netns] : [];
    if (!existsSync('/run/libvirt/virtlogd-sock')) {
      const vpid = join(dir, 'virtlogd.pid');
      execFileSync(
        pre[0] ?? find(LIBVIRT_BINARIES.virtlogd)!,
        [...pre.slice(1), ...(pre.length ? [find(LIBVIRT_BINARIES.virtlogd)!] : []), '--daemon', '--pid-file', vpid],
        { env, timeout: 20_000 },
      );
      virtlogdPid = await waitFor(() => readPid(vpid), 'virtlogd pid file', 10_000);
    }
    const args = ['--daemon', '--config', conf, '--pid-file', pidFile];
    execFileSync(
      pre[0] ?? find(LIBVIRT_BINARIES.libvirtd)!,
      [...pre.slice(1), ...(pre.length ? [find(LIBVIRT_BINARIES.libvirtd)!] : []), ...args],
      { env, timeout: 30_000 },
    );
    await waitFor(
      () => {
        const pid = readPid(pidFile);
        if (pid && !alive(pid)) throw new Error(`libvirtd exited at start:\n${tail(join(dir, 'libvirtd.log'))}`);
        return undefined;
      },
      'never',
      0,
    ).catch((e: Error) => {
      if (!e.message.startsWith('timed out')) throw e;
    });
    await waitFor(
      () =>
        (existsSync(sock) &&
          spawnSync(find(LIBVIRT_BINARIES.virsh)!, ['-c', uri, 'version'], { timeout: 10_000 }).status === 0) ||
        undefined,
      `libvirtd to answer on ${sock}`,
      20_000,
      () => tail(join(dir, 'libvirtd.log')),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { uri, dir, virsh, log: () => tail(join(dir, 'libvirtd.log')), stop };
}

function tail(f: string): string {
  try {
    return readFileSync(f, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no log)';
  }
}

function readPid(f: string): number | undefined {
  try {
    const n = Number(readFileSync(f, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killAndWait(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitFor<T>(
  fn: () => T | undefined,
  what: string,
  ms: number,
  detail: () => string = () => '',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
