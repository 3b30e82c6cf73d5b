// HIL's hil/cli/network.py: the network group (create, delete, show, list, list-attachments, grant-access,
// revoke-access).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, run } from './helper.js';

/** Adds the `network` group to the program. */
export function addNetworkCommands(program: Command): Command {
  const network = program.command('network').description('Commands related to network');
  network
    .command('create')
    .description('Create a link-layer <network>.  See docs/networks.md for details')
    .argument('<network>')
    .argument('<owner>')
    .option('--access <access>', 'Projects that can access this network. Defaults to the owner of the network')
    .option('--net-id <net_id>', 'Network ID for network. Only admins can specify this.')
    .action(
      run(async (net: string, owner: string, o: { access?: string; netId?: string }) => {
        await c().call('PUT', `network/${seg(net)}`, { owner, access: o.access ?? owner, net_id: o.netId ?? '' });
      }),
    );
  network
    .command('delete')
    .description('Delete a network')
    .argument('<network>')
    .action(run(async (net: string) => void (await c().call('DELETE', `network/${seg(net)}`))));
  json(network.command('show').description('Display information about network').argument('<network>')).action(
    run(async (net: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `network/${seg(net)}`);
      if (o.json) return out(JSON.stringify(r));
      const nodes = Object.entries(r['connected-nodes'] ?? {}).map(
        ([n, nics]) => `${n}(${(nics as string[]).join(',')})`,
      );
      // HIL joins channels and projects one a line; a public network (access null) shows none.
      out(
        table(
          ['Field', 'Value'],
          [
            ['Name', r.name],
            ['Owner', r.owner],
            ['Channels', `${(r.channels ?? []).join('\n')}\n`],
            ['Access', `${(r.access ?? []).join('\n')}\n`],
            ['Connected Nodes', nodes.join('\n')],
          ],
        ),
      );
    }),
  );
  json(network.command('list').description('List all networks')).action(
    run(async (o: { json?: boolean }) => {
      const r = await c().call('GET', 'networks');
      if (o.json) return out(JSON.stringify(r));
      out(
        table(
          ['Name', 'Network ID', 'Projects'],
          Object.entries(r).map(([n, v]: [string, any]) => [n, v.network_id, (v.projects ?? []).join(',')]),
          { sortBy: 0 },
        ),
      );
    }),
  );
  json(
    network
      .command('list-attachments')
      .description('Lists all the attachments from <project> for <network>')
      .argument('<network>')
      .option('--project <project>', 'Name of project.'),
  ).action(
    run(async (net: string, o: { project?: string; json?: boolean }) => {
      // HIL's client treats the project "all" as no project (every attachment).
      const project = o.project ?? 'all';
      const query = project === 'all' ? '' : `?project=${encodeURIComponent(project)}`;
      const r = await c().call('GET', `network/${seg(net)}/attachments${query}`);
      if (o.json) return out(JSON.stringify(r));
      out(
        table(
          ['Node', 'Project', 'Nic', 'Channel'],
          Object.entries(r).map(([n, v]: [string, any]) => [n, v.project, v.nic, v.channel]),
        ),
      );
    }),
  );
  network
    .command('grant-access')
    .description('Add <project> to <network> access')
    .argument('<network>')
    .argument('<project>')
    .action(run(async (n: string, p: string) => void (await c().call('PUT', `network/${seg(n)}/access/${seg(p)}`))));
  network
    .command('revoke-access')
    .description('Remove <project> from <network> access')
    .argument('<network>')
    .argument('<project>')
    .action(run(async (n: string, p: string) => void (await c().call('DELETE', `network/${seg(n)}/access/${seg(p)}`))));
  return network;
}
