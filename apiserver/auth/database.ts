// The `database` backend: users are hil.io User objects; their password hashes and tokens are kept by the server
// in its own table. HTTP Basic (username:password) and bearer tokens (from `hil-admin create-token` or the
// users/NAME/token subresource).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../errors.js';
import type { CredentialStore, Store } from '../store/store.js';
import { basicCredentials, bearerToken, type Authenticator } from './authenticator.js';
import { tokenHash, verifyPassword } from './secrets.js';
import type { UserInfo } from './user.js';

export const USERS_KEY = 'hil.io/users';

export class DatabaseAuthenticator implements Authenticator {
  readonly name = 'database' as const;
  /** user:sha256(password) → the stored hash it was verified against, so scrypt runs once per password change. */
  private readonly verified = new Map<string, string>();

  constructor(private readonly store: Store & CredentialStore) {}

  private async userInfo(name: string, uid: string): Promise<UserInfo | undefined> {
    const u = await this.store.get(USERS_KEY, '', name);
    if (!u || u.object.metadata.uid !== uid || u.object.metadata.deletionTimestamp) return undefined;
    const spec = (u.object.spec ?? {}) as { admin?: boolean; projects?: string[] };
    return { name, admin: spec.admin === true, projects: [...(spec.projects ?? [])] };
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<UserInfo | undefined> {
    const token = bearerToken(headers);
    if (token) {
      const cred = await this.store.findToken(tokenHash(token));
      if (!cred) throw errors.unauthorized('invalid bearer token');
      if (cred.expiresAt !== undefined && cred.expiresAt < Date.now()) throw errors.unauthorized('the bearer token has expired');
      const user = await this.userInfo(cred.userName, cred.userUid);
      if (!user) throw errors.unauthorized('the bearer token belongs to a user who no longer exists');
      return user;
    }
    const basic = basicCredentials(headers);
    if (basic) {
      const cred = await this.store.getPassword(basic.user);
      const key = `${basic.user}:${createHash('sha256').update(basic.password).digest('hex')}`;
      let ok = false;
      if (cred) {
        if (this.verified.get(key) === cred.secretHash) ok = true;
        else if (await verifyPassword(basic.password, cred.secretHash)) {
          ok = true;
          if (this.verified.size > 10_000) this.verified.clear();
          this.verified.set(key, cred.secretHash);
        }
      }
      // One message for an unknown user and a wrong password: no user enumeration.
      const user = ok && cred ? await this.userInfo(basic.user, cred.userUid) : undefined;
      if (!user) throw errors.unauthorized('invalid username or password');
      return user;
    }
    return undefined;
  }
}
