// Authentication: exactly one backend, as in HIL. A backend maps a request's credentials to a UserInfo, answers
// undefined when there are none, and throws 401 when they are wrong.
import type { IncomingHttpHeaders } from 'node:http';
import type { UserInfo } from './user.js';

/** What the server knows of a request besides its headers. */
export interface AuthContext {
  /** The peer's address as the socket reports it (no X-Forwarded-For: anyone can write that). */
  remoteAddress?: string;
}

export interface Authenticator {
  readonly name: 'null' | 'database' | 'keystone';
  authenticate(headers: IncomingHttpHeaders, context?: AuthContext): Promise<UserInfo | undefined>;
  /**
   * For long requests (watches): the caller's current UserInfo, re-read from where the backend keeps users, or
   * undefined when the user or the credential the request came with is no longer valid. Backends without it
   * have nothing to re-read.
   */
  refresh?(user: UserInfo): Promise<UserInfo | undefined>;
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
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
