// The mock switch driver: in-memory switches (mock-switch.ts) behind the real session contract, with the latency,
// failure and hang knobs of networking-generic-switch's fake device. For controller tests and benchmarks.
//
// Knobs come from three places, later ones winning: the driver's defaults (constructor), the fabric
// (`driver.fabric.switch(address).configure({...})`, for tests), and `Switch.spec.options` at open time (strings, so
// that a benchmark driving the real controller through the API can set them):
//   loginLatencyMs, commandLatencyMs, saveLatencyMs  "MS" or "MIN-MAX"
//   failureProbability                                "0".."1"
//   seed                                              integer
//   sessionLimit                                      integer
//   ports                                             "gi1/0/1-48,te1/0/1-4" (the switch's ports; default: any name)
import { SwitchError } from '../errors.js';
import { SessionGuard } from '../session-guard.js';
import type {
  ObservedPort,
  PortChange,
  PortResult,
  SwitchCapabilities,
  SwitchConfig,
  SwitchDriver,
  SwitchSession,
} from '../switch-driver.js';
import {
  assertConfigBasics,
  assertInterfaceNames,
  INTERFACE_PATTERN,
  resolveOptions,
  resolveTimeout,
  validateChanges,
} from '../validate.js';
import {
  expandPortList,
  MockFabric,
  parseLatency,
  type MockFault,
  type MockKnobs,
  type MockOp,
  type MockSwitch,
} from './mock-switch.js';

const OPTIONS = {
  loginLatencyMs: { pattern: /^\d+(\.\d+)?(-\d+(\.\d+)?)?$/ },
  commandLatencyMs: { pattern: /^\d+(\.\d+)?(-\d+(\.\d+)?)?$/ },
  saveLatencyMs: { pattern: /^\d+(\.\d+)?(-\d+(\.\d+)?)?$/ },
  failureProbability: { pattern: /^(0(\.\d+)?|1(\.0+)?)$/ },
  seed: { pattern: /^\d{1,10}$/ },
  sessionLimit: { pattern: /^[1-9]\d{0,3}$/ },
  ports: { pattern: /^[A-Za-z0-9/._:,-]+$/ },
} as const;

export interface MockDriverOptions {
  /** The switches this driver talks to (default: a new, empty fabric). */
  fabric?: MockFabric;
  /** Default knobs for switches the fabric creates. */
  knobs?: Partial<MockKnobs>;
  /** Pretend to be a different kind of switch, e.g. `{ trunk: false }` or `{ parking: 'shutdown' }`. */
  capabilities?: Partial<Omit<SwitchCapabilities, 'defaultParkingVlan'>> & { defaultParkingVlan?: number | undefined };
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
const never = () => new Promise<never>(() => {});

export class MockSwitchDriver implements SwitchDriver {
  readonly type = 'mock';
  readonly fabric: MockFabric;
  private readonly caps: SwitchCapabilities;

  constructor(options: MockDriverOptions = {}) {
    const parking = options.capabilities?.parking ?? 'vlan';
    this.caps = Object.freeze({
      trunk: true,
      nativeVlan: true,
      nativelessTrunk: true,
      interfacePattern: INTERFACE_PATTERN,
      ...options.capabilities,
      parking,
      defaultParkingVlan: parking === 'vlan' ? (options.capabilities?.defaultParkingVlan ?? 4095) : undefined,
    });
    this.fabric = options.fabric ?? new MockFabric(options.knobs, parking === 'shutdown');
  }

  capabilities(): SwitchCapabilities {
    return this.caps;
  }

  async open(config: SwitchConfig): Promise<SwitchSession> {
    assertConfigBasics(config);
    const timeoutMs = resolveTimeout(config.timeoutMs);
    const opts = resolveOptions(config.options, OPTIONS);
    const knobs: Partial<MockKnobs> = {};
    if (opts.loginLatencyMs) knobs.loginLatencyMs = parseLatency(opts.loginLatencyMs);
    if (opts.commandLatencyMs) knobs.commandLatencyMs = parseLatency(opts.commandLatencyMs);
    if (opts.saveLatencyMs) knobs.saveLatencyMs = parseLatency(opts.saveLatencyMs);
    if (opts.failureProbability) knobs.failureProbability = Number(opts.failureProbability);
    if (opts.seed) knobs.seed = Number(opts.seed);
    if (opts.sessionLimit) knobs.sessionLimit = Number(opts.sessionLimit);
    if (opts.ports) {
      knobs.ports = expandPortList(opts.ports);
      assertInterfaceNames(knobs.ports, this.caps);
    }
    const sw = this.fabric.switch(config.address, knobs);
    const parkingVlan =
      this.caps.parking === 'vlan' ? (config.parkingVlan ?? this.caps.defaultParkingVlan) : config.parkingVlan;

    const session = new MockSession(sw, this.caps, parkingVlan, timeoutMs);
    // The login runs under the session's own guard, so a hung login also times out.
    await session.login(config);
    return session;
  }
}

export class MockSession implements SwitchSession {
  readonly id: number;
  private readonly guard: SessionGuard;
  private loggedIn = false;

  constructor(
    readonly sw: MockSwitch,
    readonly capabilities: SwitchCapabilities,
    readonly parkingVlan: number | undefined,
    timeoutMs: number,
  ) {
    this.id = sw.newSessionId();
    this.guard = new SessionGuard(timeoutMs, () => this.release());
  }

  /** @internal */
  login(config: SwitchConfig): Promise<void> {
    return this.guard
      .run('login', async () => {
        const sw = this.sw;
        sw.record(this.id, 'login');
        await sleep(sw.latency(sw.knobs.loginLatencyMs));
        await this.maybeFail('login');
        if (sw.knobs.password !== undefined && config.credentials?.password !== sw.knobs.password) {
          throw new SwitchError('auth', `login to mock switch ${sw.address} refused: wrong user name or password`);
        }
        if (sw.counters.activeSessions >= sw.knobs.sessionLimit) {
          throw new SwitchError(
            'unreachable',
            `mock switch ${sw.address} refused the login: all ${sw.knobs.sessionLimit} sessions are in use`,
          );
        }
        this.loggedIn = true;
        sw.openSessions.add(this.id);
        sw.counters.sessionsOpened++;
        sw.counters.activeSessions++;
        sw.counters.maxActiveSessions = Math.max(sw.counters.maxActiveSessions, sw.counters.activeSessions);
      })
      .catch((err) => {
        if (!this.loggedIn) this.sw.counters.loginFailures++;
        this.guard.shutdown(err);
        throw err;
      });
  }

  readPorts(interfaces: readonly string[]): Promise<ObservedPort[]> {
    return this.guard.run('readPorts', async () => {
      const names = assertInterfaceNames(interfaces, this.capabilities);
      this.assertKnown(names);
      const sw = this.sw;
      sw.record(this.id, 'read', [...names]);
      sw.counters.reads++;
      sw.counters.commands++;
      await sleep(sw.latency(sw.knobs.commandLatencyMs));
      await this.maybeFail('read');
      return names.map((name) => {
        const s = sw.port(name);
        const o: { -readonly [K in keyof ObservedPort]: ObservedPort[K] } = {
          interface: name,
          tagged: s.parked ? [] : s.tagged,
          parked: s.parked,
          shutdown: s.shutdown,
        };
        if (!s.parked && s.native !== undefined) o.native = s.native;
        if (s.anomaly !== undefined) o.anomaly = s.anomaly;
        return o;
      });
    });
  }

  apply(changes: readonly PortChange[]): Promise<PortResult[]> {
    return this.guard.run('apply', async () => {
      const batch = validateChanges(changes, this.capabilities, this.parkingVlan);
      this.assertKnown(batch.map((c) => c.interface));
      const sw = this.sw;
      sw.counters.applies++;
      await this.maybeFail('apply');
      const results: PortResult[] = [];
      const written: string[] = [];
      for (const c of batch) {
        if (this.guard.closed) break; // the line is gone: no more commands reach the switch
        const before = sw.port(c.interface);
        const same =
          before.anomaly === undefined &&
          (c.native === undefined && c.tagged.length === 0
            ? before.parked
            : !before.parked && before.native === c.native && before.tagged.join() === c.tagged.join());
        if (same) {
          results.push({ interface: c.interface, changed: false });
          continue;
        }
        sw.counters.commands++;
        await sleep(sw.latency(sw.knobs.commandLatencyMs));
        const fault = sw.fault('apply', c.interface);
        if (fault?.kind === 'hang') {
          sw.counters.hangs++;
          await never();
        }
        if (fault) {
          sw.counters.failures++;
          results.push({
            interface: c.interface,
            changed: false,
            error: {
              code: fault.code ?? 'failed',
              message: fault.message ?? `mock switch ${sw.address} rejected the command for ${c.interface}`,
            },
          });
          continue;
        }
        if (this.guard.closed) break;
        sw.writePort(c.interface, c.native, c.tagged);
        sw.counters.portsWritten++;
        written.push(c.interface);
        results.push({ interface: c.interface, changed: true });
      }
      sw.record(this.id, 'apply', written);
      return results;
    });
  }

  save(): Promise<void> {
    return this.guard.run('save', async () => {
      const sw = this.sw;
      sw.record(this.id, 'save');
      await sleep(sw.latency(sw.knobs.saveLatencyMs));
      await this.maybeFail('save');
      sw.counters.saves++;
    });
  }

  async close(): Promise<void> {
    this.guard.shutdown();
  }

  private release(): void {
    if (!this.loggedIn) return;
    this.loggedIn = false;
    this.sw.openSessions.delete(this.id);
    this.sw.counters.sessionsClosed++;
    this.sw.counters.activeSessions--;
    this.sw.record(this.id, 'close');
  }

  private assertKnown(names: readonly string[]): void {
    const unknown = names.filter((n) => !this.sw.hasPort(n));
    if (unknown.length) {
      throw new SwitchError('unknown-port', `mock switch ${this.sw.address} has no port ${unknown.join(', ')}`, {
        ports: unknown,
      });
    }
  }

  /** Whole-call faults (login, read, apply before any port, save). */
  private async maybeFail(op: MockOp): Promise<void> {
    const fault: MockFault | undefined = this.sw.fault(op);
    if (!fault) return;
    if (fault.kind === 'hang') {
      this.sw.counters.hangs++;
      await never();
    }
    this.sw.counters.failures++;
    throw new SwitchError(
      fault.code ?? 'failed',
      fault.message ?? `mock switch ${this.sw.address}: injected ${op} failure`,
    );
  }
}
