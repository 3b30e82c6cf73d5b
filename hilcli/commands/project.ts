// HIL's hil/cli/project.py: the project group (create, delete, list, list-networks, node list|add|remove).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { c, json, out, printList, run } from './helper.js';

/** HIL_TIMEOUT (seconds, default 10): how long `project node remove --force` waits for its port reverts. */
function hilTimeout(): number {
  const raw = process.env.HIL_TIMEOUT ?? '10';
  if (!/^-?\d+$/.test(raw.trim())) throw new Error('Please set environment variable HIL_TIMEOUT to a number');
  return Number(raw);
}

/** `--force`: HIL's order — disable the OBM, revert the port of every NIC on a switch, wait for those, then detach. */
async function forceDetach(node: string): Promise<boolean> {
  const timeout = hilTimeout();
  await c().call('PUT', `node/${seg(node)}/obm`, { enabled: false });
  out('Disabled OBM');
  const info = await c().call('GET', `node/${seg(node)}`);
  const statuses: string[] = [];
  for (const nic of info.nics ?? []) {
    if (!('networks' in nic)) continue;
    if (!('switch' in nic) || !('port' in nic))
      throw new Error(
        'Could not get switch and port information to call revert port with. Try running this as a HIL admin.',
      );
    if (nic.switch === null) continue; // a NIC on no port has nothing to revert
    const r = await c().call('POST', `switch/${seg(nic.switch)}/port/${seg(nic.port)}/revert`);
    statuses.push(r.status_id);
  }
  const end = Date.now() + timeout * 1000;
  for (;;) {
    let done = true;
    for (const id of statuses) {
      const r = await c().call('GET', `networking_action/${seg(id)}`);
      if (r.status === 'ERROR') {
        out('Revert port failed. Check HIL network server');
        return false;
      }
      if (r.status === 'PENDING') {
        done = false;
        break;
      }
    }
    if (done) break;
    if (Date.now() > end) throw new Error('Removing networks is taking too long. Set HIL_TIMEOUT to wait longer');
    await new Promise((r) => setTimeout(r, 250));
  }
  out('Succesfuly finished removing all networks from the node.');
  return true;
}

/** Adds the `project` group to the program. */
export function addProjectCommands(program: Command): Command {
  const project = program.command('project').description('Commands related to project');
  project
    .command('create')
    .description('Create a new project')
    .argument('<project>')
    .action(run(async (p: string) => void (await c().call('PUT', `project/${seg(p)}`))));
  project
    .command('delete')
    .description('Delete a project')
    .argument('<project>')
    .action(run(async (p: string) => void (await c().call('DELETE', `project/${seg(p)}`))));
  json(project.command('list').description('List all projects')).action(
    run(async (o: { json?: boolean }) => printList(await c().call('GET', 'projects'), 'Projects', !!o.json)),
  );
  json(
    project.command('list-networks').description('List all networks attached to a <project>').argument('<project>'),
  ).action(
    run(async (p: string, o: { json?: boolean }) =>
      printList(await c().call('GET', `project/${seg(p)}/networks`), 'Networks', !!o.json),
    ),
  );
  const projectNode = project.command('node').description('Project and node related operations');
  json(projectNode.command('list').description('List all nodes attached to a <project>').argument('<project>')).action(
    run(async (p: string, o: { json?: boolean }) =>
      printList(await c().call('GET', `project/${seg(p)}/nodes`), 'Nodes', !!o.json),
    ),
  );
  projectNode
    .command('add')
    .description('Add <node> to <project>')
    .argument('<project>')
    .argument('<node>')
    .action(
      run(async (p: string, n: string) => void (await c().call('POST', `project/${seg(p)}/connect_node`, { node: n }))),
    );
  projectNode
    .command('remove')
    .description('Remove <node> from <project>')
    .argument('<project>')
    .argument('<node>')
    .option(
      '--force',
      'Disables obm and removes all networks before removing node from project. Requires admin privileges.',
    )
    .action(
      run(async (p: string, n: string, o: { force?: boolean }) => {
        if (o.force && !(await forceDetach(n))) return;
        await c().call('POST', `project/${seg(p)}/detach_node`, { node: n });
      }),
    );
  return project;
}
