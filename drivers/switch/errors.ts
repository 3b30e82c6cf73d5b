// The one error type switch drivers throw, with a code the controller can act on.

export type SwitchErrorCode =
  /** A value failed validation (name, VLAN, address, option); nothing was sent. Fix the input. */
  | 'invalid'
  /** The switch cannot do this (e.g. a tagged VLAN on linuxbridge); nothing was sent. */
  | 'unsupported'
  /** The switch has no port by that name (see `ports`); nothing was sent. */
  | 'unknown-port'
  /** Could not connect. */
  | 'unreachable'
  /** Login refused. */
  | 'auth'
  /**
   * The switch presented an SSH host key other than the trusted one (pinned in the options or recorded at the first
   * login); nothing was sent to it, not even the password. Stays until an administrator trusts the new key.
   */
  | 'host-key'
  /** No answer in time; the session is closed. */
  | 'timeout'
  /** Someone else changed the port between our read and our write (OVS); nothing was written. Retry. */
  | 'conflict'
  /** The session was closed (by `close()`, a timeout, or the peer). */
  | 'closed'
  /** The switch refused or failed a command. */
  | 'failed';

/** Codes that will not go away by retrying with the same input. */
const PERMANENT: ReadonlySet<SwitchErrorCode> = new Set(['invalid', 'unsupported', 'unknown-port', 'auth', 'host-key']);

export class SwitchError extends Error {
  override readonly name = 'SwitchError';
  readonly code: SwitchErrorCode;
  /** The ports the error is about, when it is about particular ports. */
  readonly ports?: readonly string[];

  constructor(code: SwitchErrorCode, message: string, options: { ports?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.ports) this.ports = [...options.ports];
  }

  /** True when retrying later (with backoff) may succeed; false when the input or the config must change first. */
  get retryable(): boolean {
    return !PERMANENT.has(this.code);
  }
}

export function isSwitchError(err: unknown, code?: SwitchErrorCode): err is SwitchError {
  return err instanceof SwitchError && (code === undefined || err.code === code);
}
