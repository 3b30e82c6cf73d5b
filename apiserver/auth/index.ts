// Choosing the one authentication backend, from hil.cfg's [extensions] or --auth.
import { keystoneSection, type HilConfig } from '../../config/sections.js';
import type { CredentialStore, Store } from '../store/store.js';
import type { Authenticator } from './authenticator.js';
import { DatabaseAuthenticator } from './database.js';
import { KeystoneAuthenticator } from './keystone.js';
import { NULL_AUTH_ADMIN } from './user.js';

export type AuthBackendName = 'null' | 'database' | 'keystone';

export const nullAuthenticator: Authenticator = { name: 'null', authenticate: async () => NULL_AUTH_ADMIN };

export function createAuthenticator(
  backend: AuthBackendName,
  store: Store & CredentialStore,
  cfg: HilConfig | undefined,
): Authenticator {
  switch (backend) {
    case 'null':
      return nullAuthenticator;
    case 'database':
      return new DatabaseAuthenticator(store);
    case 'keystone':
      return new KeystoneAuthenticator(keystoneSection(cfg));
  }
}
