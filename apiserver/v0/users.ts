// v0 db-auth calls (hil/ext/auth/database.py: list_users, user_create, user_delete, user_add_project,
// user_remove_project, user_set_admin) on User and its password (the users/NAME/password subresource's code).
// They exist only with the database backend, as HIL's extension.
import { PASSWORD_MIN_LENGTH } from '../auth/secrets.js';
import { specOf } from '../object.js';
import { hil } from './errors.js';
import { hilNameOf } from './names.js';
import type { Call } from './transport.js';

export const userCalls: Call[] = [
  {
    name: 'list_users',
    method: 'GET',
    path: '/auth/basic/users',
    async run(s) {
      s.requireAdmin();
      const out: Record<string, { is_admin: boolean; projects: string[] }> = {};
      for (const u of await s.list('users')) {
        const projects = await Promise.all(
          ((specOf(u).projects ?? []) as string[]).map((p) => s.hilNameOfRef('projects', p)),
        );
        out[hilNameOf(u)] = { is_admin: specOf(u).admin === true, projects: projects.sort() };
      }
      return {
        body: Object.fromEntries(
          Object.keys(out)
            .sort()
            .map((k) => [k, out[k]]),
        ),
      };
    },
  },
  {
    name: 'user_create',
    method: 'PUT',
    path: '/auth/basic/user/:user',
    args: { password: 'string', is_admin: 'boolean?' },
    async run(s, a) {
      s.requireAdmin();
      await s.checkFree('users', 'User', a.user);
      // Checked before the User is made, so a refused password leaves nothing behind.
      if (a.password.length < PASSWORD_MIN_LENGTH)
        throw hil.badArgument(`The password must have at least ${PASSWORD_MIN_LENGTH} characters.`);
      const user = await s.create('users', {
        kind: 'User',
        metadata: s.metadataFor(a.user),
        spec: { admin: a.is_admin === true, projects: [] },
      });
      try {
        await s.deps.credentials.setPassword(s.user, s.type('users'), user.metadata.name!, { password: a.password });
      } catch (err) {
        await s.removeIfPresent('users', user.metadata.name!);
        throw err;
      }
    },
  },
  {
    name: 'user_delete',
    method: 'DELETE',
    path: '/auth/basic/user/:user',
    async run(s, a) {
      s.requireAdmin();
      const u = await s.mustFind('users', 'User', a.user);
      await s.remove('users', u.metadata.name!);
      await s.deps.store.deleteCredentials(u.metadata.name!);
    },
  },
  {
    name: 'user_add_project',
    method: 'POST',
    path: '/auth/basic/user/:user/add_project',
    args: { project: 'string' },
    async run(s, a) {
      s.requireAdmin();
      const u = await s.mustFind('users', 'User', a.user);
      const p = await s.mustFind('projects', 'Project', a.project);
      const projects: string[] = specOf(u).projects ?? [];
      if (projects.includes(p.metadata.name!)) throw hil.duplicate(`User ${a.user} is already in project ${a.project}`);
      await s.patchFound('users', u, { spec: { projects: [...projects, p.metadata.name] } });
    },
  },
  {
    name: 'user_remove_project',
    method: 'POST',
    path: '/auth/basic/user/:user/remove_project',
    args: { project: 'string' },
    async run(s, a) {
      s.requireAdmin();
      const u = await s.mustFind('users', 'User', a.user);
      const p = await s.mustFind('projects', 'Project', a.project);
      const projects: string[] = specOf(u).projects ?? [];
      if (!projects.includes(p.metadata.name!)) throw hil.notFound(`User ${a.user} is not in project ${a.project}`);
      await s.patchFound('users', u, { spec: { projects: projects.filter((x) => x !== p.metadata.name) } });
    },
  },
  {
    name: 'user_set_admin',
    method: 'PATCH',
    path: '/auth/basic/user/:user',
    args: { is_admin: 'boolean' },
    async run(s, a) {
      s.requireAdmin();
      const u = await s.mustFind('users', 'User', a.user);
      if (u.metadata.name === s.user.name) throw hil.illegalState('Cannot set own admin status');
      await s.patchFound('users', u, { spec: { admin: a.is_admin } });
    },
  },
];
