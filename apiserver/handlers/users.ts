// The two User subresources of the database auth backend:
//   PUT    users/NAME/password  {"password": "…"}   — by an admin or the user themself; stored as a scrypt hash;
//                                                   the user's tokens are revoked with the old password
//   POST   users/NAME/token     TokenRequest        — a bearer token for a kubeconfig (hilctl login)
//   DELETE users/NAME/token                         — revokes every token of the user
// Neither ever returns a password or a hash; the token is shown once, in the answer.
import { errors, successStatus } from '../errors.js';
import { isPlainObject } from '../object.js';
import type { CredentialStore, Store } from '../store/store.js';
import { USERS_KEY } from '../auth/database.js';
import { forbidden } from '../auth/authz.js';
import { hashPassword, newToken, PASSWORD_MIN_LENGTH, tokenHash } from '../auth/secrets.js';
import type { UserInfo } from '../auth/user.js';
import type { ResourceType } from '../registry.js';
import type { Subresource } from './subresource.js';

const DEFAULT_TOKEN_SECONDS = 24 * 3600;
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 366 * 24 * 3600;

export class UserCredentials {
  constructor(
    private readonly store: Store & CredentialStore,
    private readonly backend: string,
  ) {}

  private async target(caller: UserInfo, t: ResourceType, name: string, verb: string) {
    if (this.backend !== 'database') {
      throw errors.badRequest(
        `users/${name}/${verb === 'update' ? 'password' : 'token'}: the server's auth backend is "${this.backend}"; passwords and tokens belong to the "database" backend`,
      );
    }
    if (!caller.admin && caller.name !== name)
      throw forbidden(caller, verb, t, name, 'only administrators and the user themself may do this');
    const user = await this.store.get(USERS_KEY, '', name);
    if (!user) throw errors.notFound('users', 'hil.io', name);
    return user;
  }

  async setPassword(caller: UserInfo, t: ResourceType, name: string, body: unknown) {
    const user = await this.target(caller, t, name, 'update');
    const password = isPlainObject(body) ? body.password : undefined;
    if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH) {
      throw errors.invalid('User', 'hil.io', name, [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: a password of at least ${PASSWORD_MIN_LENGTH} characters is required`,
          field: 'password',
        },
      ]);
    }
    // A new password ends what the old one gave: tokens made with it (perhaps by whoever learnt it) are revoked.
    await this.store.setPassword(name, user.object.metadata.uid!, await hashPassword(password), { revokeTokens: true });
    return { ...successStatus(), message: `password of user "${name}" set; its tokens are revoked` };
  }

  async revokeTokens(caller: UserInfo, t: ResourceType, name: string) {
    await this.target(caller, t, name, 'delete');
    const n = await this.store.deleteTokens(name);
    return {
      ...successStatus({ name, group: 'hil.io', kind: 'users' }),
      message: `${n} token${n === 1 ? '' : 's'} of user "${name}" revoked`,
    };
  }

  async createToken(caller: UserInfo, t: ResourceType, name: string, body: unknown) {
    const user = await this.target(caller, t, name, 'create');
    const req = isPlainObject(body) ? body : {};
    const spec = isPlainObject(req.spec) ? req.spec : {};
    const seconds = spec.expirationSeconds === undefined ? DEFAULT_TOKEN_SECONDS : Number(spec.expirationSeconds);
    if (!Number.isInteger(seconds) || seconds < MIN_TOKEN_SECONDS || seconds > MAX_TOKEN_SECONDS) {
      throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(spec.expirationSeconds)}: must be an integer from ${MIN_TOKEN_SECONDS} to ${MAX_TOKEN_SECONDS}`,
          field: 'spec.expirationSeconds',
        },
      ]);
    }
    const token = newToken();
    const expires = Date.now() + seconds * 1000;
    await this.store.addToken(name, user.object.metadata.uid!, tokenHash(token), expires);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      spec: { expirationSeconds: seconds, audiences: [] },
      status: { token, expirationTimestamp: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z') },
    };
  }
}

/** users/NAME/password (PUT) and users/NAME/token (POST a TokenRequest; DELETE revokes every token). */
export function userSubresources(credentials: UserCredentials): Subresource {
  return {
    resource: USERS_KEY,
    names: ['password', 'token'],
    verb: ({ method }) => (method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : 'create'),
    async serve({ user, type: t, name, subresource, method, raw, decode }) {
      if (subresource === 'password' && method === 'PUT')
        return { code: 200, body: await credentials.setPassword(user, t, name, decode()) };
      if (subresource === 'token' && method === 'POST')
        return { code: 201, body: await credentials.createToken(user, t, name, raw && raw.length ? decode() : {}) };
      if (subresource === 'token' && method === 'DELETE')
        return { code: 200, body: await credentials.revokeTokens(user, t, name) };
      throw errors.methodNotAllowed(
        `${method} is not supported on users/${subresource} (use ${subresource === 'password' ? 'PUT' : 'POST, or DELETE to revoke every token'})`,
      );
    },
  };
}
