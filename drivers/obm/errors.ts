// The one error type OBM drivers throw, with a code the node controller turns into a condition reason.

export type ObmErrorCode =
  /** A value failed validation (host, port, user name, option); nothing was run. Fix the Node or its Secret. */
  | 'invalid'
  /** The BMC refused the credentials (wrong user name or password). */
  | 'auth'
  /** No answer from the BMC (down, wrong address, firewall). */
  | 'unreachable'
  /** The call did not finish in time; it was killed. */
  | 'timeout'
  /** This BMC or driver cannot do this (e.g. no serial console). */
  | 'unsupported'
  /** The BMC answered with an error. */
  | 'failed';

const PERMANENT: ReadonlySet<ObmErrorCode> = new Set(['invalid', 'auth', 'unsupported']);

export class ObmError extends Error {
  override readonly name = 'ObmError';
  readonly code: ObmErrorCode;
  constructor(code: ObmErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
  /** True when retrying later may succeed without changing the input. */
  get retryable(): boolean {
    return !PERMANENT.has(this.code);
  }
}

export function isObmError(err: unknown, code?: ObmErrorCode): err is ObmError {
  return err instanceof ObmError && (code === undefined || err.code === code);
}
