// The `database` backend: users are hil.io User objects; their password hashes and tokens are kept by the server
// in its own table. HTTP Basic (username:password) and bearer tokens (from `hil-admin create-token` or the
// users/NAME/token subresource).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../errors.js';
import type { CredentialStore, Store } from '../store/store.js';
import { basicCredentials, bearerToken, type AuthContext, type Authenticator } from './authenticator.js';
import { dummyHash, hashPassword, needsRehash, tokenHash, verifyPassword } from './secrets.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from './throttle.js';
import type { UserInfo } from './user.js';
import { isKeptName, resourceName } from '../v0/names.js';

export const USERS_KEY = 'hil.io/users';

/** What a UserInfo handed out by authenticate() was established with, for refresh(). */
interface Session {
  uid: string;
  kind: 'password' | 'token';
  /** The password credential's id, or the token's hash. */
  credential: string;
}

export interface DatabaseAuthenticatorOptions {
  throttle?: Partial<LoginThrottleOptions>;
}

export class DatabaseAuthenticator implements Authenticator {
  readonly name = 'database' as const;
  /** user:sha256(password) → the stored hash it was verified against, so scrypt runs once per password change. */
  private readonly verified = new Map<string, string>();
  private readonly sessions = new WeakMap<UserInfo, Session>();
  readonly throttle: LoginThrottle;

  constructor(
    private readonly store: Store & CredentialStore,
    options: DatabaseAuthenticatorOptions = {},
  ) {
    this.throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, ...options.throttle });
  }

  private async userInfo(name: string, uid: string, session: Omit<Session, 'uid'>): Promise<UserInfo | undefined> {
    const u = await this.store.get(USERS_KEY, '', name);
    if (!u || u.object.metadata.uid !== uid || u.object.metadata.deletionTimestamp) return undefined;
    const spec = (u.object.spec ?? {}) as { admin?: boolean; projects?: string[] };
    const user: UserInfo = { name, admin: spec.admin === true, projects: [...(spec.projects ?? [])] };
    this.sessions.set(user, { uid, ...session });
    return user;
  }

  async authenticate(headers: IncomingHttpHeaders, context: AuthContext = {}): Promise<UserInfo | undefined> {
    const token = bearerToken(headers);
    if (token) {
      const hash = tokenHash(token);
      const cred = await this.store.findToken(hash);
      if (!cred) throw errors.unauthorized('invalid bearer token');
      if (cred.expiresAt !== undefined && cred.expiresAt < Date.now())
        throw errors.unauthorized('the bearer token has expired');
      const user = await this.userInfo(cred.userName, cred.userUid, { kind: 'token', credential: hash });
      if (!user) throw errors.unauthorized('the bearer token belongs to a user who no longer exists');
      return user;
    }
    const basic = basicCredentials(headers);
    if (basic) {
      // Counted as a failure until the password proves right; over the limit this throws 429.
      const succeeded = this.throttle.begin(context.remoteAddress, basic.user);
      // A HIL user name that is not a resource name (capitals, spaces, `_`…: made by v0 user_create or import-hil)
      // names the User under its mapped name (apiserver/v0/names.ts, collision-free): HIL's clients log in with the
      // HIL name. A name used as it is comes first, so a User whose own name looks mapped still logs in.
      let userName = basic.user;
      let cred = await this.store.getPassword(userName);
      if (!cred && !isKeptName(basic.user)) {
        userName = resourceName(basic.user);
        cred = await this.store.getPassword(userName);
      }
      const key = `${userName}:${createHash('sha256').update(basic.password).digest('hex')}`;
      let ok = false;
      if (cred) {
        if (this.verified.get(key) === cred.secretHash) ok = true;
        else if (await verifyPassword(basic.password, cred.secretHash)) {
          ok = true;
          this.remember(key, await this.upgrade(userName, basic.password, cred.secretHash));
        }
      } else {
        // An unknown user costs one scrypt too, so the answer's timing does not tell which users exist.
        await verifyPassword(basic.password, await dummyHash());
      }
      // One message for an unknown user and a wrong password: no user enumeration.
      const user =
        ok && cred ? await this.userInfo(userName, cred.userUid, { kind: 'password', credential: cred.id }) : undefined;
      if (!user) throw errors.unauthorized('invalid username or password');
      succeeded();
      return user;
    }
    return undefined;
  }

  private remember(key: string, hash: string): void {
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(key, hash);
  }

  /** A hash with weaker parameters than today's is replaced by a new one, now that the password is known. */
  private async upgrade(userName: string, password: string, stored: string): Promise<string> {
    if (!needsRehash(stored)) return stored;
    try {
      const stronger = await hashPassword(password);
      if (await this.store.upgradePassword(userName, stored, stronger)) return stronger;
    } catch {
      // The login stands; the next one tries again.
    }
    return stored;
  }

  /**
   * The current UserInfo of a user that authenticate() (or refresh()) returned, or undefined when any of these
   * changed since: the User object is gone, being deleted, or re-created (another uid); the bearer token the user
   * came with was revoked or has expired; the password the user came with was changed or removed. The anonymous
   * caller is returned as is; any other UserInfo this authenticator did not hand out is undefined.
   */
  async refresh(user: UserInfo): Promise<UserInfo | undefined> {
    if (user.anonymous) return user;
    const session = this.sessions.get(user);
    if (!session) return undefined;
    if (session.kind === 'token') {
      const cred = await this.store.findToken(session.credential);
      if (!cred || cred.userName !== user.name || cred.userUid !== session.uid) return undefined;
      if (cred.expiresAt !== undefined && cred.expiresAt < Date.now()) return undefined;
    } else {
      const cred = await this.store.getPassword(user.name);
      if (!cred || cred.id !== session.credential || cred.userUid !== session.uid) return undefined;
    }
    const { uid, ...rest } = session;
    return this.userInfo(user.name, uid, rest);
  }
}
