// Validation of everything an OBM driver passes on (to ipmitool's command line, its environment, a socket): an
// allow-list pattern per value, checked before anything runs. A bad value is an ObmError 'invalid' naming the field.
import { ObmError } from './errors.js';
import type { ObmConfig } from './obm-driver.js';

/** Host name, IPv4 or IPv6 address (the Node CRD's spec.obm.host pattern, without a leading '-'). */
export const HOST_PATTERN = /^[A-Za-z0-9[:][A-Za-z0-9._:[\]%-]{0,252}$/;
/** IPMI user names: at most 16 bytes (IPMI 2.0), plain characters, no leading '-'. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@+][A-Za-z0-9_.@+-]{0,15}$/;
/** IPMI 2.0 passwords are at most 20 bytes; printable ASCII only (it goes into an environment variable). */
export const PASSWORD_PATTERN = /^[\x20-\x7e]{0,20}$/;

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface ValidBmc {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** Checks a BMC config; never echoes the password. */
export function validateBmc(bmc: ObmConfig): ValidBmc {
  if (typeof bmc.host !== 'string' || !HOST_PATTERN.test(bmc.host))
    throw new ObmError('invalid', `spec.obm.host ${show(bmc.host)} is not a valid host name or address`);
  const port = bmc.port ?? 623;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ObmError('invalid', `spec.obm.port ${show(bmc.port)} is not a port number (1-65535)`);
  const out: ValidBmc = { host: bmc.host, port };
  if (bmc.credentials) {
    const { username, password } = bmc.credentials;
    if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
      throw new ObmError(
        'invalid',
        `the credentials Secret's username ${show(username)} is not allowed (1-16 of letters, digits, _.@+-, not starting with -)`,
      );
    }
    if (typeof password !== 'string' || !PASSWORD_PATTERN.test(password)) {
      throw new ObmError(
        'invalid',
        "the credentials Secret's password is not allowed (at most 20 printable ASCII characters)",
      );
    }
    out.username = username;
    out.password = password;
  }
  return out;
}
