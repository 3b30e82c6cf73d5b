// The in-memory switches behind the mock driver: port state that outlives sessions (like a real switch), the knobs
// (latencies, failures, hangs, session limit) and the counters tests and benchmarks read.
//
// Cost model (what one call "costs", in simulated time and in `counters.commands`):
//   open()       one login: loginLatencyMs
//   readPorts()  one command for the whole call (like `show interfaces switchport`): commandLatencyMs
//   apply()      one command per port whose state differs (ports already in that state cost nothing)
//   save()       saveLatencyMs
// So a batch of N changed ports costs about login + (1 + N) × command + save: the lower bound benchmarks compare to.
import type { SwitchErrorCode } from '../errors.js';
import { SwitchError } from '../errors.js';
import { hashString, seededRandom, type Random } from './prng.js';

/** A latency in ms: fixed, or drawn uniformly from [min, max] with the switch's seeded PRNG. */
export type Latency = number | readonly [min: number, max: number];

export interface MockKnobs {
  loginLatencyMs: Latency;
  commandLatencyMs: Latency;
  saveLatencyMs: Latency;
  /** Probability (0–1) that an operation fails: each login, read, port write and save draws once. */
  failureProbability: number;
  /** Seed of the PRNG behind latencies and failures (mixed with the address, so switches differ). */
  seed: number;
  /** At most this many sessions open at once; a login beyond it fails with `unreachable` (switches limit vty lines). */
  sessionLimit: number;
  /** The ports the switch has; undefined = every well-formed name exists (created parked when first used). */
  ports: readonly string[] | undefined;
  /** When set, `open()` needs these credentials (else `auth`). */
  password: string | undefined;
}

export const DEFAULT_KNOBS: Readonly<MockKnobs> = Object.freeze({
  loginLatencyMs: 0,
  commandLatencyMs: 0,
  saveLatencyMs: 0,
  failureProbability: 0,
  seed: 1,
  sessionLimit: Number.POSITIVE_INFINITY,
  ports: undefined,
  password: undefined,
});

export type MockOp = 'login' | 'read' | 'apply' | 'save';

/** A scripted fault: the next `times` matching operations fail (or hang: never answer). */
export interface MockFault {
  op: MockOp;
  /** For `apply`: fail or hang at this port (earlier ports of the batch are written). Without: the whole call. */
  port?: string;
  /** How many matching operations it hits (default 1; Infinity = until `clearFaults()`). */
  times?: number;
  /** `error` (default) rejects with `code`; `hang` never answers (the caller's timeout or close() ends it). */
  kind?: 'error' | 'hang';
  code?: SwitchErrorCode;
  message?: string;
}

export interface MockCounters {
  sessionsOpened: number;
  sessionsClosed: number;
  activeSessions: number;
  maxActiveSessions: number;
  loginFailures: number;
  reads: number;
  applies: number;
  /** Commands sent: one per read call, one per port written. */
  commands: number;
  /** Ports written (changed). */
  portsWritten: number;
  saves: number;
  /** Operations failed by a fault or by failureProbability. */
  failures: number;
  hangs: number;
}

export interface MockPortState {
  native?: number;
  tagged: number[];
  parked: boolean;
  shutdown: boolean;
  anomaly?: string;
}

export interface MockLogEntry {
  session: number;
  op: MockOp | 'close';
  ports?: string[];
  at: number;
}

const zeroCounters = (): MockCounters => ({
  sessionsOpened: 0,
  sessionsClosed: 0,
  activeSessions: 0,
  maxActiveSessions: 0,
  loginFailures: 0,
  reads: 0,
  applies: 0,
  commands: 0,
  portsWritten: 0,
  saves: 0,
  failures: 0,
  hangs: 0,
});

/** `gi1/0/1-4,te1/0/1` → gi1/0/1 … gi1/0/4, te1/0/1 (a range on the last number of a name). */
export function expandPortList(spec: string): string[] {
  const out: string[] = [];
  for (const item of spec.split(',').filter(Boolean)) {
    const m = /^(.*?)(\d+)-(\d+)$/.exec(item);
    if (m) {
      const [, prefix, lo, hi] = m;
      if (Number(hi) < Number(lo) || Number(hi) - Number(lo) > 10_000)
        throw new SwitchError('invalid', `bad port range ${JSON.stringify(item)}`);
      for (let i = Number(lo); i <= Number(hi); i++) out.push(`${prefix}${i}`);
    } else {
      out.push(item);
    }
  }
  return out;
}

/** Parses `"5"` or `"2-8"` into a Latency. */
export function parseLatency(value: string): Latency {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value);
  if (!m) throw new SwitchError('invalid', `latency ${JSON.stringify(value)} must be "MS" or "MIN-MAX"`);
  return m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
}

export class MockSwitch {
  readonly address: string;
  readonly knobs: MockKnobs;
  readonly counters: MockCounters = zeroCounters();
  /** Every operation, in order (the last 10 000). */
  readonly log: MockLogEntry[] = [];
  private readonly state = new Map<string, MockPortState>();
  private faults: (MockFault & { left: number })[] = [];
  private random: Random;
  private nextSession = 1;
  /** Sessions currently open, by id (so tests can see who holds the switch). */
  readonly openSessions = new Set<number>();

  constructor(
    address: string,
    knobs: Partial<MockKnobs> = {},
    private readonly parkingShutdown = false,
  ) {
    this.address = address;
    this.knobs = { ...DEFAULT_KNOBS, ...knobs };
    this.random = seededRandom(this.knobs.seed ^ hashString(address));
    for (const p of this.knobs.ports ?? []) this.state.set(p, this.parkedState());
  }

  /** Changes knobs; a new `seed` restarts the PRNG; new `ports` are added parked (existing ones are kept). */
  configure(knobs: Partial<MockKnobs>): this {
    Object.assign(this.knobs, knobs);
    if (knobs.seed !== undefined) this.random = seededRandom(knobs.seed ^ hashString(this.address));
    for (const p of knobs.ports ?? []) if (!this.state.has(p)) this.state.set(p, this.parkedState());
    return this;
  }

  /** Scripts a fault (see `MockFault`). */
  inject(fault: MockFault): this {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  clearFaults(): this {
    this.faults = [];
    return this;
  }

  resetCounters(): this {
    Object.assign(this.counters, zeroCounters(), {
      activeSessions: this.counters.activeSessions,
      maxActiveSessions: this.counters.activeSessions,
    });
    this.log.length = 0;
    return this;
  }

  /** True when the switch has this port. */
  hasPort(name: string): boolean {
    return this.knobs.ports === undefined || this.state.has(name);
  }

  /** The port's state (a copy); a port never used is parked. */
  port(name: string): MockPortState {
    const s = this.state.get(name) ?? this.parkedState();
    return { ...s, tagged: [...s.tagged] };
  }

  /** Every port with state (all declared ports, plus any used on a switch without a port list). */
  portNames(): string[] {
    return [...this.state.keys()];
  }

  /** Sets a port by hand, outside any session: drift, like an admin at the console. Counts nothing. */
  setPort(name: string, state: Partial<MockPortState>): this {
    const s: MockPortState = { tagged: [], parked: false, shutdown: false, ...state };
    s.tagged = [...s.tagged].sort((a, b) => a - b);
    this.state.set(name, s);
    return this;
  }

  // ---- used by the mock session ----

  /** @internal */
  writePort(name: string, native: number | undefined, tagged: readonly number[]): void {
    if (native === undefined && tagged.length === 0) this.state.set(name, this.parkedState());
    else this.state.set(name, { native, tagged: [...tagged], parked: false, shutdown: false });
  }

  /** @internal */
  newSessionId(): number {
    return this.nextSession++;
  }

  /** @internal */
  record(session: number, op: MockLogEntry['op'], ports?: string[]): void {
    this.log.push({ session, op, ports, at: performance.now() });
    if (this.log.length > 10_000) this.log.splice(0, this.log.length - 10_000);
  }

  /** @internal Draws a latency for this knob. */
  latency(knob: Latency): number {
    if (typeof knob === 'number') return knob;
    const [min, max] = knob;
    return min + (max - min) * this.random();
  }

  /** @internal The fault hitting this operation (scripted first, then failureProbability), if any. */
  fault(op: MockOp, port?: string): MockFault | undefined {
    const i = this.faults.findIndex((f) => f.op === op && f.left > 0 && (op !== 'apply' || f.port === port));
    if (i >= 0) {
      const f = this.faults[i];
      f.left -= 1;
      if (f.left <= 0) this.faults.splice(i, 1);
      return f;
    }
    // One draw per operation (per port for apply), whether or not it fails, so runs are reproducible.
    if (
      this.knobs.failureProbability > 0 &&
      (op !== 'apply' || port !== undefined) &&
      this.random() < this.knobs.failureProbability
    ) {
      return {
        op,
        port,
        kind: 'error',
        code: 'failed',
        message: `injected failure (probability ${this.knobs.failureProbability})`,
      };
    }
    return undefined;
  }

  private parkedState(): MockPortState {
    return { tagged: [], parked: true, shutdown: this.parkingShutdown };
  }
}

/** A set of mock switches by address: the "network" one mock driver instance talks to. */
export class MockFabric {
  private readonly switches = new Map<string, MockSwitch>();

  constructor(
    private readonly defaults: Partial<MockKnobs> = {},
    private readonly parkingShutdown = false,
  ) {}

  /** The switch at this address, created (with the fabric's default knobs plus `knobs`) on first use. */
  switch(address: string, knobs: Partial<MockKnobs> = {}): MockSwitch {
    let sw = this.switches.get(address);
    if (!sw) {
      sw = new MockSwitch(address, { ...this.defaults, ...knobs }, this.parkingShutdown);
      this.switches.set(address, sw);
    } else if (Object.keys(knobs).length) {
      sw.configure(knobs);
    }
    return sw;
  }

  has(address: string): boolean {
    return this.switches.has(address);
  }

  all(): MockSwitch[] {
    return [...this.switches.values()];
  }

  /** Counters summed over every switch. */
  totals(): MockCounters {
    const t = zeroCounters();
    for (const sw of this.switches.values()) {
      for (const k of Object.keys(t) as (keyof MockCounters)[]) t[k] += sw.counters[k];
    }
    return t;
  }

  /** Forgets every switch (their state, knobs, faults and counters). */
  reset(): void {
    this.switches.clear();
  }
}
