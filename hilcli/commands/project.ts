// HIL's hil/cli/project.py: the project group.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { c, json, printList, run } from './helper.js';

/** Adds the `project` group to the program. */
export function addProjectCommands(program: Command): Command {
  const project = program.command('project').description('Commands related to project');
  project
    .command('create')
    .argument('<project>')
    .action(run(async (p: string) => void (await c().call('PUT', `project/${seg(p)}`))));
  project
    .command('delete')
    .argument('<project>')
    .action(run(async (p: string) => void (await c().call('DELETE', `project/${seg(p)}`))));
  json(project.command('list').description('List all projects')).action(
    run(async (o: { json?: boolean }) => printList(await c().call('GET', 'projects'), 'Projects', !!o.json)),
  );
  json(project.command('list-networks').argument('<project>')).action(
    run(async (p: string, o: { json?: boolean }) =>
      printList(await c().call('GET', `project/${seg(p)}/networks`), 'Networks', !!o.json),
    ),
  );
  const projectNode = project.command('node').description('Project and node related operations');
  json(projectNode.command('list').argument('<project>')).action(
    run(async (p: string, o: { json?: boolean }) =>
      printList(await c().call('GET', `project/${seg(p)}/nodes`), 'Nodes', !!o.json),
    ),
  );
  projectNode
    .command('add')
    .argument('<project>')
    .argument('<node>')
    .action(
      run(async (p: string, n: string) => void (await c().call('POST', `project/${seg(p)}/connect_node`, { node: n }))),
    );
  projectNode
    .command('remove')
    .argument('<project>')
    .argument('<node>')
    .action(
      run(async (p: string, n: string) => void (await c().call('POST', `project/${seg(p)}/detach_node`, { node: n }))),
    );
  return project;
}
