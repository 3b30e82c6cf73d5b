// The credential of the controllers embedded in `hil-admin serve --controllers`: a random bearer token made at
// start, held only in this process's memory (never stored, logged or printed), that stands for the administrator
// "system:hil-controllers" whatever the configured backend is. Every other request goes to the backend as usual.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticator } from './authenticator.js';
import { bearerToken } from './authenticator.js';
import type { UserInfo } from './user.js';

export const EMBEDDED_CONTROLLERS: UserInfo = { name: 'system:hil-controllers', admin: true, projects: [] };

export function newInternalToken(): string {
  return randomBytes(32).toString('base64url');
}

export function withInternalToken(backend: Authenticator, token: string): Authenticator {
  const expected = Buffer.from(token);
  const wrapped: Authenticator = {
    name: backend.name,
    async authenticate(headers, context) {
      const given = bearerToken(headers);
      if (given !== undefined) {
        const b = Buffer.from(given);
        if (b.length === expected.length && timingSafeEqual(b, expected)) return EMBEDDED_CONTROLLERS;
      }
      return backend.authenticate(headers, context);
    },
  };
  // The internal token lives as long as the process: the embedded controllers stay who they are.
  const refresh = backend.refresh?.bind(backend);
  if (refresh) wrapped.refresh = async (user) => (user === EMBEDDED_CONTROLLERS ? user : refresh(user));
  return wrapped;
}
