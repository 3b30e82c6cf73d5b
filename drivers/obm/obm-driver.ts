// The OBM (out-of-band management, i.e. BMC) driver interface: the one contract every BMC backend implements and
// the only thing the node controller and the console endpoint know about BMCs.
//
// Drivers know nothing of resources, controllers or the API server: a BMC address and credentials in, observed
// power and boot state out. Every value is validated (validate.ts) before anything is run.
//
//   const driver = obmRegistry.driverFor('ipmi');
//   const bmc = { host: '10.0.0.5', port: 623, credentials: { username: 'admin', password: '…' } };
//   if ((await driver.powerStatus(bmc)) === 'Off') await driver.setPower(bmc, 'On');
//   await driver.setBootDevice(bmc, 'pxe');
//   const sol = driver.openConsole(bmc);  sol.on('data', …); …; sol.close();

/** How to reach one BMC. */
export interface ObmConfig {
  /** BMC host name or IP address ("" for an `obmd` node, which is reached through `uri`). */
  readonly host: string;
  /** UDP port (IPMI over LAN); default 623. */
  readonly port?: number;
  readonly credentials?: ObmCredentials;
  /** `obmd` only: the node's URL on obmd (`https://obmd.example.com/node/LABEL`); credentials are `admin` + its admin token. */
  readonly uri?: string;
}

export interface ObmCredentials {
  readonly username: string;
  readonly password: string;
}

export type PowerState = 'On' | 'Off';
export type BootDevice = 'pxe' | 'disk';

/** A serial console (SOL) session: bytes out of the node's serial port until it ends. Read-only. */
export interface ConsoleSession {
  /** Called with each chunk of console output. */
  onData(fn: (chunk: Buffer) => void): void;
  /** Called once when the session ends (closed, the BMC dropped it, or it could not start: then with an error). */
  onEnd(fn: (err?: Error) => void): void;
  /** Ends the session (and frees the BMC's SOL payload). Idempotent. */
  close(): Promise<void>;
}

export interface ObmDriver {
  /** The Node `spec.obm.type` this driver serves. */
  readonly type: string;
  /** Power state as the BMC reports it. */
  powerStatus(bmc: ObmConfig): Promise<PowerState>;
  /** Power on or off (hard off). Idempotent. */
  setPower(bmc: ObmConfig, state: PowerState): Promise<void>;
  /** Power cycle (off, then on again) of a node that is on. */
  powerCycle(bmc: ObmConfig): Promise<void>;
  /** The boot device the BMC is set to, or undefined when it is neither pxe nor disk (or the BMC cannot tell). */
  bootDevice(bmc: ObmConfig): Promise<BootDevice | undefined>;
  /** Sets the boot device (persistently, where the BMC supports it). */
  setBootDevice(bmc: ObmConfig, device: BootDevice): Promise<void>;
  /** Starts a serial-over-LAN console session (read-only). */
  openConsole(bmc: ObmConfig): ConsoleSession;
  /**
   * Drops every access the driver handed out for this BMC (HIL's node_disable_obm): `obmd` invalidates the node
   * token, which ends console streams. Optional: drivers without such access have nothing to drop.
   */
  revokeAccess?(bmc: ObmConfig): Promise<void>;
}
