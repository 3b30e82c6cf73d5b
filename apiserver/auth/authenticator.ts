// Authentication: exactly one backend, as in HIL. A backend maps a request's credentials to a UserInfo, answers
// undefined when there are none, and throws 401 when they are wrong.
import type { IncomingHttpHeaders } from 'node:http';
import type { UserInfo } from './user.js';

export interface Authenticator {
  readonly name: 'null' | 'database' | 'keystone';
  authenticate(headers: IncomingHttpHeaders): Promise<UserInfo | undefined>;
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const h = headers.authorization;
  const m = h ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
