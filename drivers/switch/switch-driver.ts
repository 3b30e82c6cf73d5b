// The switch driver interface: the one contract every switch backend (mock, ovs, linuxbridge, and later the vendor
// CLI/REST drivers) implements, and the only thing the switch controller knows about switches.
//
// Drivers know nothing of resources, controllers or the API server: plain inputs in (an address, port names, VLAN
// ids, credentials, string options), observed port state out. See docs/drivers.md for the contract in prose.
//
// The shape, in one breath:
//
//   const driver = driverFor('ovs');                       // registry.ts
//   const session = await driver.open({ address: 'tcp:127.0.0.1:6640', options: { bridge: 'sw0' } });
//   try {
//     const observed = await session.readPorts(['p1', 'p2']);          // what the switch really has
//     const results = await session.apply([                              // one call, many ports: set state
//       { interface: 'p1', native: 101, tagged: [] },                    //   access / native VLAN 101
//       { interface: 'p2', native: null, tagged: [] },                   //   revert: parked, reaches nothing
//     ]);
//     await session.save();                                               // once per batch
//   } finally {
//     await session.close();
//   }

/** What a driver needs to reach one switch. Everything here is validated by the driver before use. */
export interface SwitchConfig {
  /**
   * How to reach the switch; its form is the driver's: an OVSDB remote `unix:/path/db.sock` or `tcp:HOST:PORT`
   * (ovs), a network namespace name (linuxbridge), any name (mock; the in-memory switch's identity), a host name or
   * IP (ssh/telnet) or a URL (REST drivers).
   */
  readonly address: string;
  /** Login credentials, for drivers that log in (mock checks them only if told to). */
  readonly credentials?: SwitchCredentials;
  /** Driver-specific string options (`Switch.spec.options`), e.g. `bridge` for ovs. Unknown keys are refused. */
  readonly options?: Readonly<Record<string, string>>;
  /**
   * The VLAN a reverted port is parked on (`Switch.spec.parkingVlan`), 1–4095. Omitted: the driver's
   * `capabilities().defaultParkingVlan`. This VLAN is reserved: no port may be given it as a native or tagged VLAN.
   * Drivers that park by shutting the port (`capabilities().parking === 'shutdown'`) only reserve it.
   */
  readonly parkingVlan?: number;
  /**
   * Every session call (and open itself) settles within this many milliseconds, or rejects with a
   * `SwitchError` of code `timeout` and the session is then closed. Default 30000. CLI drivers have a deadline per
   * step instead (their dialect's login, per command, save; a call's grows with its batch), which this caps when
   * given.
   */
  readonly timeoutMs?: number;
  /**
   * CLI drivers over SSH: the host key trusted for this switch (`SHA256:…`), recorded by the caller at an earlier login
   * (trust on first use); not checked over telnet, which has none. Another key is refused with a `SwitchError`
   * `host-key` before anything is sent. The driver's `hostKeyFingerprint` option, when set, wins over it. Omitted: the
   * first key seen is accepted (and reported in `SwitchSession.hostKeyFingerprint` for the caller to record).
   */
  readonly trustedHostKey?: string;
  /**
   * PEM CA certificates to trust for an https:// switch instead of the system's: the controller reads them from the
   * Secret named by `options.caSecretRef` (key `ca.crt`), as it reads `credentials` from `credentialsSecretRef`.
   */
  readonly caCertificates?: string;
}

export interface SwitchCredentials {
  readonly username: string;
  readonly password: string;
  /** The password `enable` asks for on CLI switches, when the switch has one (Secret key `enablePassword`). */
  readonly enablePassword?: string;
}

/** What a driver can do; static per driver (a session's may be narrower, see `SwitchSession.capabilities`). */
export interface SwitchCapabilities {
  /** Ports can carry tagged (802.1Q) VLANs. */
  readonly trunk: boolean;
  /** Ports can carry an untagged VLAN (access, or native VLAN on a trunk). */
  readonly nativeVlan: boolean;
  /** Ports can carry tagged VLANs without a native one (HIL's `nativeless-trunk-mode`). */
  readonly nativelessTrunk: boolean;
  /**
   * How a reverted port is made to reach nothing: `vlan` = put on the (isolated) parking VLAN, `shutdown` = taken
   * off every VLAN and shut down.
   */
  readonly parking: 'vlan' | 'shutdown';
  /** The parking VLAN used when the config names none (`parking === 'vlan'` only). */
  readonly defaultParkingVlan?: number;
  /** The switch's own port-name syntax, checked on top of the common one (e.g. Linux: at most 15 characters). */
  readonly interfacePattern: RegExp;
}

/** The state a port should have: the complete state, not a delta. `native: null` and `tagged: []` = revert (park). */
export interface PortChange {
  /** The switch's own port name (`Port.spec.interface`). */
  readonly interface: string;
  /** Untagged VLAN (1–4094); absent or null = none. */
  readonly native?: number | null;
  /** Tagged VLANs (1–4094), any order, no duplicates, not containing `native`. */
  readonly tagged: readonly number[];
}

/** The state read back from the switch. */
export interface ObservedPort {
  readonly interface: string;
  /** Untagged VLAN; absent when none, and absent when the port is parked (the parking VLAN is not a network). */
  readonly native?: number;
  /** Tagged VLANs, ascending; never contains `native`. */
  readonly tagged: readonly number[];
  /** The port reaches nothing: on the isolated parking VLAN, or detached and shut. */
  readonly parked: boolean;
  /** The port is administratively down (where the driver can tell). */
  readonly shutdown: boolean;
  /**
   * Set when the port is in a state outside this model, in words: e.g. an OVS trunk with empty `trunks` (carries
   * every VLAN), a VLAN mode we never set, a parked port that is not isolated. Such a port is never in sync, so the
   * controller rewrites it; the text is for Events and conditions.
   */
  readonly anomaly?: string;
}

/** The outcome of one port of an `apply`, in the order of the changes. */
export interface PortResult {
  readonly interface: string;
  /** The switch was written for this port (false: it already had this state, nothing was sent for it). */
  readonly changed: boolean;
  /**
   * This port failed while the others went through (drivers whose ports fail one by one, e.g. CLI switches; OVS
   * batches are atomic and never report this). The port's state is then unknown: read it again.
   */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * One management session to one switch: a login, reused for a whole batch. Calls on one session run one at a
 * time (a driver may queue them); use several sessions for parallelism where the switch allows it.
 */
export interface SwitchSession {
  /** The capabilities on this switch (may be narrower than the driver's). */
  readonly capabilities: SwitchCapabilities;
  /** The reserved parking VLAN in effect on this switch (undefined: none reserved; ports are parked by shutdown). */
  readonly parkingVlan: number | undefined;
  /**
   * True once the session cannot be used any more (closed, timed out, or dropped by the switch, e.g. by its idle
   * timeout): a caller keeping sessions between batches opens a new one instead. Absent: assume usable.
   */
  readonly closed?: boolean;
  /** SSH drivers: the host key the switch presented at this session's login (`SHA256:…`), for the caller to record. */
  readonly hostKeyFingerprint?: string;
  /**
   * Reads the named ports back from the switch. Resolves to one entry per name, in the same order. Rejects with a
   * `SwitchError` `invalid` for a malformed name and `unknown-port` (listing them in `ports`) for names the switch
   * does not have; nothing is read then.
   */
  readPorts(interfaces: readonly string[]): Promise<ObservedPort[]>;
  /**
   * Sets each named port to the given complete state, all in this one session, and resolves when the switch has
   * applied them (for ovs: when vswitchd has, not only the database). Idempotent: a port already in that state is
   * not written (`changed: false`). Ports not named are never touched. Everything is validated first; on
   * `invalid`, `unsupported` or `unknown-port` nothing at all is sent. A transport failure or timeout mid-batch
   * leaves some ports possibly changed: read them again.
   */
  apply(changes: readonly PortChange[]): Promise<PortResult[]>;
  /** Makes the applied state survive a switch reboot (copy running to startup); a no-op where state is durable. */
  save(): Promise<void>;
  /** Ends the session. Never rejects; calls still pending reject with `closed`. Safe to call twice. */
  close(): Promise<void>;
}

export interface SwitchDriver {
  /** The `Switch.spec.type` this driver serves. */
  readonly type: string;
  /** What this driver can do, without opening a session. */
  capabilities(): SwitchCapabilities;
  /**
   * Validates the config, connects and logs in. Rejects with a `SwitchError`: `invalid` (bad address or option),
   * `unreachable`, `auth`, `host-key` (SSH host key not the trusted one), `timeout`.
   */
  open(config: SwitchConfig): Promise<SwitchSession>;
}
