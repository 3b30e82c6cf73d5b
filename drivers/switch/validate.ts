// Validation shared by every switch driver. Every value that reaches a CLI line, a batch file, a URL or a protocol
// message goes through here first, against an allow-list pattern: no whitespace, no newline, no `;`, no shell or
// CLI metacharacters. Drivers call these before they send anything, so a bad value means nothing was sent.
import { SwitchError } from './errors.js';
import type { PortChange, SwitchCapabilities, SwitchConfig, SwitchCredentials } from './switch-driver.js';

/** Control characters and DEL: never in a value sent on a switch's command line. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;

/** Port names every driver accepts at most (the same as the Port CRD's `spec.interface`); drivers may narrow it. */
export const INTERFACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/._:-]{0,63}$/;

/** A switch address (the Switch CRD's `spec.address` pattern, with a length cap). */
export const ADDRESS_PATTERN = /^[A-Za-z0-9:[][A-Za-z0-9._:/@[\]%+~-]{0,254}$/;

/** A plain token: what may go into a command line unquoted. Letters, digits and `._:/@[]%+~=,-` only. */
export const SAFE_TOKEN_PATTERN = /^[A-Za-z0-9._:/@[\]%+~=,-]{1,253}$/;

/** A user name for a switch login. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{1,64}$/;

export const MIN_VLAN = 1;
export const MAX_VLAN = 4094;
/** 4095 is reserved by 802.1Q; some switches (OVS) accept it, which makes it the ideal parking VLAN there. */
export const MAX_PARKING_VLAN = 4095;

export const DEFAULT_TIMEOUT_MS = 30_000;

function describe(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Refuses anything but a plain token (see `SAFE_TOKEN_PATTERN`); the last line of defence before a command line. */
export function assertSafeToken(value: unknown, what: string): string {
  if (typeof value !== 'string' || !SAFE_TOKEN_PATTERN.test(value)) {
    throw new SwitchError(
      'invalid',
      `${what} ${describe(value)} is not allowed: only letters, digits and ._:/@[]%+~=,- are`,
    );
  }
  return value;
}

/** Refuses a port name that is malformed for every driver, or for this driver's own syntax. */
export function assertInterfaceName(
  name: unknown,
  capabilities?: Pick<SwitchCapabilities, 'interfacePattern'>,
): string {
  if (typeof name !== 'string' || !INTERFACE_PATTERN.test(name)) {
    throw new SwitchError(
      'invalid',
      `port name ${describe(name)} is not allowed (pattern ${INTERFACE_PATTERN.source})`,
      {
        ports: typeof name === 'string' ? [name] : [],
      },
    );
  }
  if (capabilities && !capabilities.interfacePattern.test(name)) {
    throw new SwitchError(
      'invalid',
      `port name ${describe(name)} is not a valid port name on this switch (pattern ${capabilities.interfacePattern.source})`,
      {
        ports: [name],
      },
    );
  }
  return name;
}

/** A list of port names: each valid, none twice. */
export function assertInterfaceNames(
  names: unknown,
  capabilities?: Pick<SwitchCapabilities, 'interfacePattern'>,
): string[] {
  if (!Array.isArray(names)) throw new SwitchError('invalid', 'port names must be an array');
  const seen = new Set<string>();
  for (const n of names) {
    assertInterfaceName(n, capabilities);
    if (seen.has(n)) throw new SwitchError('invalid', `port ${describe(n)} is named twice`, { ports: [n] });
    seen.add(n);
  }
  return names as string[];
}

/** A VLAN a port may be put on: an integer 1–4094, and not the switch's parking VLAN. */
export function assertVlan(vlan: unknown, parkingVlan: number | undefined, what = 'VLAN'): number {
  if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < MIN_VLAN || vlan > MAX_VLAN) {
    throw new SwitchError(
      'invalid',
      `${what}: ${describe(vlan)} is not allowed: a VLAN is an integer ${MIN_VLAN}-${MAX_VLAN}`,
    );
  }
  if (vlan === parkingVlan) {
    throw new SwitchError(
      'invalid',
      `${what}: ${vlan} is this switch's parking VLAN, reserved for ports that must reach nothing`,
    );
  }
  return vlan;
}

/** A parking VLAN: an integer 1–4095. */
export function assertParkingVlan(vlan: unknown): number {
  if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < MIN_VLAN || vlan > MAX_PARKING_VLAN) {
    throw new SwitchError(
      'invalid',
      `parking VLAN ${describe(vlan)} is not allowed: an integer ${MIN_VLAN}-${MAX_PARKING_VLAN}`,
    );
  }
  return vlan;
}

/** A timeout in milliseconds: a positive integer up to an hour. */
export function resolveTimeout(ms: unknown): number {
  if (ms === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > 3_600_000) {
    throw new SwitchError('invalid', `timeoutMs ${describe(ms)} is not allowed: an integer 1-3600000`);
  }
  return ms;
}

/**
 * Credentials. The user name is a plain token. The password is the one value not held to the token pattern (real
 * passwords contain `;`, `$`, `#`…): it is only ever sent as data in an authentication exchange (an ssh/telnet
 * password prompt, an HTTP Basic header), never spliced into a command line. It may still hold no control
 * characters or newlines, so it cannot end a prompt answer early and inject a second line.
 */
export function assertCredentials(credentials: unknown): SwitchCredentials | undefined {
  if (credentials === undefined) return undefined;
  if (typeof credentials !== 'object' || credentials === null)
    throw new SwitchError('invalid', 'credentials must be an object');
  const { username, password, enablePassword } = credentials as Record<string, unknown>;
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
    throw new SwitchError(
      'invalid',
      `user name ${describe(username)} is not allowed (pattern ${USERNAME_PATTERN.source})`,
    );
  }
  if (typeof password !== 'string' || password.length < 1 || password.length > 128 || CONTROL_CHARS.test(password)) {
    throw new SwitchError('invalid', 'the password must be 1-128 characters with no control characters or newlines');
  }
  if (enablePassword === undefined) return { username, password };
  if (
    typeof enablePassword !== 'string' ||
    enablePassword.length < 1 ||
    enablePassword.length > 128 ||
    CONTROL_CHARS.test(enablePassword)
  ) {
    throw new SwitchError(
      'invalid',
      'the enable password must be 1-128 characters with no control characters or newlines',
    );
  }
  return { username, password, enablePassword };
}

/**
 * Driver options: only the keys the driver knows, each value matching its pattern (and always a safe token).
 * Returns the options with defaults filled in.
 */
export function resolveOptions<K extends string>(
  options: Readonly<Record<string, string>> | undefined,
  spec: Readonly<Record<K, { pattern: RegExp; default?: string }>>,
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new SwitchError('invalid', 'options must be an object of strings');
  }
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const known = Object.keys(spec);
      throw new SwitchError(
        'invalid',
        `unknown option ${describe(key)}${known.length ? ` (known: ${known.join(', ')})` : ' (this driver takes none)'}`,
      );
    }
    const { pattern } = spec[key as K];
    assertSafeToken(value, `option ${key}`);
    if (!pattern.test(value))
      throw new SwitchError('invalid', `option ${key}=${describe(value)} is not allowed (pattern ${pattern.source})`);
    out[key as K] = value;
  }
  for (const [key, s] of Object.entries(spec) as [K, { default?: string }][]) {
    if (out[key] === undefined && s.default !== undefined) out[key] = s.default;
  }
  return out;
}

/** The common checks on a config: address form, credentials, parking VLAN, timeout. */
export function assertConfigBasics(config: SwitchConfig): void {
  if (typeof config !== 'object' || config === null) throw new SwitchError('invalid', 'config must be an object');
  if (typeof config.address !== 'string' || !ADDRESS_PATTERN.test(config.address)) {
    throw new SwitchError(
      'invalid',
      `address ${describe(config.address)} is not allowed (pattern ${ADDRESS_PATTERN.source})`,
    );
  }
  assertCredentials(config.credentials);
  if (config.parkingVlan !== undefined) assertParkingVlan(config.parkingVlan);
  resolveTimeout(config.timeoutMs);
}

/** A change after validation: `native` undefined when none, `tagged` ascending. */
export interface NormalizedChange {
  readonly interface: string;
  readonly native: number | undefined;
  readonly tagged: readonly number[];
}

/**
 * Validates a whole batch before anything is sent: names, VLANs (1–4094, not the parking VLAN), no duplicate
 * VLANs, native not also tagged, no port twice, and what the switch can do. Collects every offending port, then
 * throws one `SwitchError`: `invalid` if any value is malformed, else `unsupported`.
 */
export function validateChanges(
  changes: unknown,
  capabilities: SwitchCapabilities,
  parkingVlan: number | undefined,
): NormalizedChange[] {
  if (!Array.isArray(changes)) throw new SwitchError('invalid', 'changes must be an array');
  const out: NormalizedChange[] = [];
  const invalid: { port: string; message: string }[] = [];
  const unsupported: { port: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const change of changes as unknown[]) {
    if (typeof change !== 'object' || change === null) {
      invalid.push({ port: '', message: 'a change must be an object' });
      continue;
    }
    const c = change as Partial<PortChange>;
    const port = typeof c.interface === 'string' ? c.interface : '';
    try {
      assertInterfaceName(c.interface, capabilities);
      if (seen.has(port)) throw new SwitchError('invalid', `port ${describe(port)} appears twice in one batch`);
      seen.add(port);
      const native =
        c.native === undefined || c.native === null
          ? undefined
          : assertVlan(c.native, parkingVlan, `native VLAN of ${port}`);
      if (!Array.isArray(c.tagged)) throw new SwitchError('invalid', `tagged VLANs of ${port} must be an array`);
      const tagged = c.tagged.map((v) => assertVlan(v, parkingVlan, `tagged VLAN of ${port}`)).sort((a, b) => a - b);
      for (let i = 1; i < tagged.length; i++) {
        if (tagged[i] === tagged[i - 1])
          throw new SwitchError('invalid', `tagged VLAN ${tagged[i]} of ${port} is listed twice`);
      }
      if (native !== undefined && tagged.includes(native)) {
        throw new SwitchError('invalid', `VLAN ${native} of ${port} cannot be both native and tagged`);
      }
      if (native !== undefined && !capabilities.nativeVlan) {
        unsupported.push({ port, message: `${port}: this switch cannot carry an untagged VLAN` });
      } else if (tagged.length > 0 && !capabilities.trunk) {
        unsupported.push({
          port,
          message: `${port}: this switch has access ports only and cannot carry tagged VLANs (${tagged.join(',')}); use a native attachment`,
        });
      } else if (tagged.length > 0 && native === undefined && !capabilities.nativelessTrunk) {
        unsupported.push({ port, message: `${port}: this switch needs a native VLAN before tagged VLANs` });
      }
      out.push({ interface: port, native, tagged });
    } catch (err) {
      if (!(err instanceof SwitchError)) throw err;
      invalid.push({ port, message: err.message });
    }
  }
  if (invalid.length) {
    throw new SwitchError('invalid', invalid.map((i) => i.message).join('; '), {
      ports: invalid.map((i) => i.port).filter(Boolean),
    });
  }
  if (unsupported.length) {
    throw new SwitchError('unsupported', unsupported.map((i) => i.message).join('; '), {
      ports: unsupported.map((i) => i.port),
    });
  }
  return out;
}
