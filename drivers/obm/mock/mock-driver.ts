// The `mock` OBM driver: in-memory BMCs behind the real driver contract, with latency and failure knobs (like the
// mock switch). For controller tests, benchmarks and development without hardware.
//
//   const mock = new MockObmDriver({ latencyMs: 30 });
//   mock.bmc('bmc-1').power = 'Off';                    // "by hand"
//   mock.bmc('bmc-1').configure({ down: true });         // unreachable
//   mock.bmc('bmc-1').configure({ password: 'secret' }); // checks credentials from now on
import { setTimeout as delay } from 'node:timers/promises';
import { ObmError } from '../errors.js';
import type { BootDevice, ConsoleSession, ObmConfig, ObmDriver, PowerState } from '../obm-driver.js';
import { validateBmc } from '../validate.js';

export interface MockBmcKnobs {
  /** Milliseconds each call takes (default: the driver's). */
  latencyMs?: number;
  /** Probability (0-1) that a call fails with 'failed'. */
  failureProbability?: number;
  /** The BMC does not answer (every call fails with 'unreachable' after the latency). */
  down?: boolean;
  /** When set, calls must carry this password (and user name `username`, default any). */
  password?: string;
  username?: string;
}

export interface MockBmcCounters {
  calls: number;
  powerOn: number;
  powerOff: number;
  cycles: number;
  bootSets: number;
  consoles: number;
}

export class MockBmc {
  power: PowerState = 'Off';
  boot: BootDevice | undefined = undefined;
  knobs: MockBmcKnobs = {};
  readonly counters: MockBmcCounters = { calls: 0, powerOn: 0, powerOff: 0, cycles: 0, bootSets: 0, consoles: 0 };
  /** Live console readers (the node's serial port); write() sends to them. */
  readonly consoles = new Set<(c: Buffer) => void>();
  constructor(readonly address: string) {}
  configure(k: MockBmcKnobs): this {
    this.knobs = { ...this.knobs, ...k };
    return this;
  }
  /** Writes to the node's serial port (seen by open console sessions). */
  write(text: string): void {
    for (const f of this.consoles) f(Buffer.from(text));
  }
}

export interface MockObmDriverOptions {
  /** Default latency of every call (ms). */
  latencyMs?: number;
  failureProbability?: number;
  /** Random source for failures (tests: deterministic). */
  random?: () => number;
}

export class MockObmDriver implements ObmDriver {
  readonly type = 'mock';
  private readonly bmcs = new Map<string, MockBmc>();
  constructor(private readonly opts: MockObmDriverOptions = {}) {}

  /** The in-memory BMC at this address (`host` or `host:port` when a port other than 623 is given); created on first use. */
  bmc(address: string): MockBmc {
    let b = this.bmcs.get(address);
    if (!b) {
      b = new MockBmc(address);
      this.bmcs.set(address, b);
    }
    return b;
  }

  all(): MockBmc[] {
    return [...this.bmcs.values()];
  }

  private async call(cfg: ObmConfig): Promise<MockBmc> {
    const v = validateBmc(cfg);
    const b = this.bmc(v.port === 623 ? v.host : `${v.host}:${v.port}`);
    const latency = b.knobs.latencyMs ?? this.opts.latencyMs ?? 0;
    if (latency > 0) await delay(latency);
    b.counters.calls++;
    if (b.knobs.down) throw new ObmError('unreachable', `BMC ${b.address}: no answer (mock BMC is down)`);
    if (b.knobs.password !== undefined) {
      const ok = v.password === b.knobs.password && (b.knobs.username === undefined || v.username === b.knobs.username);
      if (!ok)
        throw new ObmError('auth', `BMC ${b.address}: the BMC refused the credentials (wrong user name or password)`);
    }
    const p = b.knobs.failureProbability ?? this.opts.failureProbability ?? 0;
    if (p > 0 && (this.opts.random ?? Math.random)() < p)
      throw new ObmError('failed', `BMC ${b.address}: injected failure`);
    return b;
  }

  async powerStatus(cfg: ObmConfig): Promise<PowerState> {
    return (await this.call(cfg)).power;
  }

  async setPower(cfg: ObmConfig, state: PowerState): Promise<void> {
    const b = await this.call(cfg);
    if (state === 'On') b.counters.powerOn++;
    else b.counters.powerOff++;
    b.power = state;
  }

  async powerCycle(cfg: ObmConfig): Promise<void> {
    const b = await this.call(cfg);
    b.counters.cycles++;
    b.power = 'On';
  }

  async bootDevice(cfg: ObmConfig): Promise<BootDevice | undefined> {
    return (await this.call(cfg)).boot;
  }

  async setBootDevice(cfg: ObmConfig, device: BootDevice): Promise<void> {
    if (device !== 'pxe' && device !== 'disk')
      throw new ObmError('invalid', `boot device ${JSON.stringify(device)} is not pxe or disk`);
    const b = await this.call(cfg);
    b.counters.bootSets++;
    b.boot = device;
  }

  openConsole(cfg: ObmConfig): ConsoleSession {
    const dataFns: ((c: Buffer) => void)[] = [];
    const endFns: ((e?: Error) => void)[] = [];
    let ended: { err?: Error } | undefined;
    let bmc: MockBmc | undefined;
    const feed = (c: Buffer) => dataFns.forEach((f) => f(c));
    const finish = (err?: Error) => {
      if (ended) return;
      ended = { err };
      if (bmc) bmc.consoles.delete(feed);
      endFns.forEach((f) => f(err));
    };
    this.call(cfg).then(
      (b) => {
        if (ended) return;
        bmc = b;
        b.counters.consoles++;
        b.consoles.add(feed);
      },
      (err) => finish(err),
    );
    return {
      onData: (fn) => dataFns.push(fn),
      onEnd: (fn) => (ended ? fn(ended.err) : endFns.push(fn)),
      close: async () => finish(),
    };
  }
}
