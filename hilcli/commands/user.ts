// HIL's hil/cli/user.py: the user group (db-auth users). `user list` is ours (HIL's CLI has none; list_users is HIL's).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, choice, json, out, run } from './helper.js';

/** Adds the `user` group to the program. */
export function addUserCommands(program: Command): Command {
  const user = program.command('user').description('Commands related to user');
  const adminFlag = (v: string) => choice('is_admin', v, ['admin', 'regular']) === 'admin';
  user
    .command('create')
    .argument('<username>')
    .argument('<password>')
    .argument('<is_admin>', 'admin or regular')
    .action(
      run(
        async (u: string, pw: string, a: string) =>
          void (await c().call('PUT', `auth/basic/user/${seg(u)}`, { password: pw, is_admin: adminFlag(a) })),
      ),
    );
  user
    .command('delete')
    .argument('<username>')
    .action(run(async (u: string) => void (await c().call('DELETE', `auth/basic/user/${seg(u)}`))));
  json(user.command('list')).action(
    run(async (o: { json?: boolean }) => {
      const r = await c().call('GET', 'auth/basic/users');
      if (o.json) return out(JSON.stringify(r));
      out(
        table(
          ['Name', 'Admin', 'Projects'],
          Object.entries(r).map(([n, v]: [string, any]) => [n, v.is_admin ? 'True' : 'False', v.projects.join(', ')]),
        ),
      );
    }),
  );
  const userProject = user.command('project').description('Add/Remove user from project');
  userProject
    .command('add')
    .argument('<user>')
    .argument('<project>')
    .action(
      run(
        async (u: string, p: string) =>
          void (await c().call('POST', `auth/basic/user/${seg(u)}/add_project`, { project: p })),
      ),
    );
  userProject
    .command('remove')
    .argument('<user>')
    .argument('<project>')
    .action(
      run(
        async (u: string, p: string) =>
          void (await c().call('POST', `auth/basic/user/${seg(u)}/remove_project`, { project: p })),
      ),
    );
  user
    .command('set-admin')
    .argument('<username>')
    .argument('<is_admin>', 'admin or regular')
    .action(
      run(
        async (u: string, a: string) =>
          void (await c().call('PATCH', `auth/basic/user/${seg(u)}`, { is_admin: adminFlag(a) })),
      ),
    );
  return user;
}
