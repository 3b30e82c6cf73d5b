// What hil-admin does directly on the store, with no server running: bootstrap an admin user, mint a token.
// Objects are written through the same handlers as API requests, so they get the same validation and metadata.
import { join } from 'node:path';
import { packageRoot } from '../common/paths.js';
import { hashPassword, newToken, PASSWORD_MIN_LENGTH, tokenHash } from './auth/secrets.js';
import { NULL_AUTH_ADMIN } from './auth/user.js';
import { USERS_KEY } from './auth/database.js';
import { ApiError } from './errors.js';
import { ResourceHandlers } from './handlers/resources.js';
import type { KObject } from './object.js';
import { Registry } from './registry.js';
import type { SqlStore } from './store/sql-store.js';
import { Validator } from './validation.js';

export class AdminTaskError extends Error {}

/** HIL's `hil-admin create-admin-user NAME PASSWORD`. */
export async function createAdminUser(store: SqlStore, name: string, password: string): Promise<void> {
  if (password.length < PASSWORD_MIN_LENGTH)
    throw new AdminTaskError(`the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
  if (await store.get(USERS_KEY, '', name)) {
    throw new AdminTaskError(
      `user "${name}" already exists; an administrator can set its password with PUT /apis/hil.io/v1alpha1/users/${name}/password`,
    );
  }
  const registry = Registry.fromCrdDir(join(packageRoot(), 'crds'));
  const type = registry.lookup('hil.io', 'v1alpha1', 'users')!;
  const handlers = new ResourceHandlers({ store, validator: new Validator() });
  try {
    const res = await handlers.create(
      {
        type,
        namespace: '',
        user: NULL_AUTH_ADMIN,
        query: { fieldValidation: 'Strict' },
        contentType: 'application/json',
        accept: undefined,
        userAgent: 'hil-admin',
      },
      { apiVersion: 'hil.io/v1alpha1', kind: 'User', metadata: { name }, spec: { admin: true, projects: [] } },
    );
    await store.setPassword(name, (res.body as KObject).metadata.uid!, await hashPassword(password));
  } catch (err) {
    if (err instanceof ApiError) throw new AdminTaskError(err.message);
    throw err;
  }
}

/** `hil-admin create-token USER`: a bearer token for a kubeconfig. */
export async function createToken(
  store: SqlStore,
  name: string,
  seconds: number,
): Promise<{ token: string; expires: Date }> {
  const user = await store.get(USERS_KEY, '', name);
  if (!user) throw new AdminTaskError(`user "${name}" does not exist`);
  const token = newToken();
  const expires = new Date(Date.now() + seconds * 1000);
  await store.addToken(name, user.object.metadata.uid!, tokenHash(token), expires.getTime());
  return { token, expires };
}
