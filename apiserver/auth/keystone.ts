// The `keystone` backend: a token (X-Auth-Token, or a bearer token) is validated against Keystone v3
// (GET /v3/auth/tokens with X-Subject-Token, authorized by the server's own service token). The `admin` role makes
// an admin; the token's project maps to the hil.io Project named by the project's id, as HIL maps it.
import type { IncomingHttpHeaders } from 'node:http';
import type { KeystoneSettings } from '../../config/sections.js';
import { errors } from '../errors.js';
import { bearerToken, type Authenticator } from './authenticator.js';
import type { UserInfo } from './user.js';

/** hil.cfg [hil.ext.auth.keystone] (config/sections.ts), and the client's own knobs. */
export interface KeystoneConfig extends KeystoneSettings {
  /** How long a validated token is trusted before asking Keystone again (never beyond its expiry). */
  cacheSeconds?: number;
  timeoutMs?: number;
}

interface CachedToken {
  user: UserInfo;
  until: number;
}

export class KeystoneAuthenticator implements Authenticator {
  readonly name = 'keystone' as const;
  private readonly base: string;
  private serviceToken?: { token: string; expires: number };
  private readonly cache = new Map<string, CachedToken>();

  constructor(private readonly config: KeystoneConfig) {
    const u = config.authUrl.replace(/\/+$/, '');
    this.base = /\/v3$/.test(u) ? u : `${u}/v3`;
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw errors.unavailable(`cannot reach Keystone at ${this.base}: ${(err as Error).message}`);
    }
  }

  private async service(): Promise<string> {
    if (this.serviceToken && this.serviceToken.expires > Date.now() + 60_000) return this.serviceToken.token;
    const c = this.config;
    const r = await this.request('/auth/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: c.username, password: c.password, domain: { name: c.userDomain ?? 'Default' } } },
          },
          scope: { project: { name: c.projectName, domain: { name: c.projectDomain ?? 'Default' } } },
        },
      }),
    });
    const token = r.headers.get('x-subject-token');
    if (r.status !== 201 || !token)
      throw errors.unavailable(`Keystone refused the server's own credentials (HTTP ${r.status})`);
    const body: any = await r.json().catch(() => ({}));
    const expires = Date.parse(body?.token?.expires_at ?? '') || Date.now() + 3600_000;
    this.serviceToken = { token, expires };
    return token;
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<UserInfo | undefined> {
    const raw = headers['x-auth-token'];
    const token = (Array.isArray(raw) ? raw[0] : raw) ?? bearerToken(headers);
    if (!token) return undefined;
    const hit = this.cache.get(token);
    if (hit && hit.until > Date.now()) return hit.user;
    let r = await this.request('/auth/tokens', {
      headers: { 'x-auth-token': await this.service(), 'x-subject-token': token },
    });
    if (r.status === 401) {
      // Our own token expired early: get a new one and ask once more.
      this.serviceToken = undefined;
      r = await this.request('/auth/tokens', {
        headers: { 'x-auth-token': await this.service(), 'x-subject-token': token },
      });
    }
    if (r.status === 404 || r.status === 401) throw errors.unauthorized('the Keystone token is invalid or has expired');
    if (r.status !== 200) throw errors.unavailable(`Keystone answered HTTP ${r.status} when validating a token`);
    const body = await r.json();
    const t = body?.token;
    const expires = Date.parse(t?.expires_at ?? '');
    if (!t || (expires && expires < Date.now())) throw errors.unauthorized('the Keystone token has expired');
    const roles: string[] = (t.roles ?? []).map((x: any) => String(x.name));
    const user: UserInfo = {
      name: String(t.user?.name ?? t.user?.id ?? 'unknown'),
      admin: roles.includes('admin'),
      projects: t.project?.id ? [String(t.project.id)] : [],
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, {
      user,
      until: Math.min(Date.now() + (this.config.cacheSeconds ?? 60) * 1000, expires || Infinity),
    });
    return user;
  }
}
