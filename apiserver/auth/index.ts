// Choosing the one authentication backend, from hil.cfg's [extensions] or --auth.
import { cfgGet, ConfigError, type HilConfig } from '../../common/hilcfg.js';
import type { CredentialStore, Store } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import { DatabaseAuthenticator } from './database.js';
import { KeystoneAuthenticator, type KeystoneConfig } from './keystone.js';
import { NULL_AUTH_ADMIN } from './user.js';

export type AuthBackendName = 'null' | 'database' | 'keystone';

export const nullAuthenticator: Authenticator = { name: 'null', authenticate: async () => NULL_AUTH_ADMIN };

/** [hil.ext.auth.keystone] as HIL writes it (auth_url, username, password, project_name, …). */
export function keystoneConfigFrom(cfg: HilConfig | undefined): KeystoneConfig {
  const get = (k: string) => cfgGet(cfg, 'hil.ext.auth.keystone', k);
  const missing = ['auth_url', 'username', 'password', 'project_name'].filter((k) => !get(k));
  if (missing.length) throw new ConfigError(`the keystone auth backend needs [hil.ext.auth.keystone] ${missing.join(', ')} in hil.cfg`);
  return {
    authUrl: get('auth_url')!,
    username: get('username')!,
    password: get('password')!,
    projectName: get('project_name')!,
    userDomain: get('user_domain_name'),
    projectDomain: get('project_domain_name'),
  };
}

export function createAuthenticator(backend: AuthBackendName, store: Store & CredentialStore, cfg: HilConfig | undefined): Authenticator {
  switch (backend) {
    case 'null':
      return nullAuthenticator;
    case 'database':
      return new DatabaseAuthenticator(store);
    case 'keystone':
      return new KeystoneAuthenticator(keystoneConfigFrom(cfg));
  }
}
