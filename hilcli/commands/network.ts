// HIL's hil/cli/network.py: the network group.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, run } from './helper.js';

/** Adds the `network` group to the program. */
export function addNetworkCommands(program: Command): Command {
  const network = program.command('network').description('Commands related to network');
  network
    .command('create')
    .argument('<network>')
    .argument('<owner>')
    .option('--access <project>')
    .option('--net-id <id>')
    .action(
      run(async (net: string, owner: string, o: { access?: string; netId?: string }) => {
        await c().call('PUT', `network/${seg(net)}`, { owner, access: o.access ?? owner, net_id: o.netId ?? '' });
      }),
    );
  network
    .command('delete')
    .argument('<network>')
    .action(run(async (net: string) => void (await c().call('DELETE', `network/${seg(net)}`))));
  json(network.command('show').argument('<network>')).action(
    run(async (net: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `network/${seg(net)}`);
      if (o.json) return out(JSON.stringify(r));
      const nodes = Object.entries(r['connected-nodes'] ?? {}).map(
        ([n, nics]) => `${n}(${(nics as string[]).join(',')})`,
      );
      out(
        table(
          ['Field', 'Value'],
          [
            ['Name', r.name],
            ['Owner', r.owner],
            ['Access', r.access === null ? 'public' : r.access.join(', ')],
            ['Channels', r.channels.join(', ')],
            ['Connected nodes', nodes.join(', ')],
          ],
        ),
      );
    }),
  );
  json(network.command('list')).action(
    run(async (o: { json?: boolean }) => {
      const r = await c().call('GET', 'networks');
      if (o.json) return out(JSON.stringify(r));
      out(
        table(
          ['Network', 'Network ID', 'Projects'],
          Object.entries(r).map(([n, v]: [string, any]) => [
            n,
            v.network_id,
            v.projects === null ? 'public' : v.projects.join(', '),
          ]),
        ),
      );
    }),
  );
  json(
    network
      .command('list-attachments')
      .description("List the nodes attached to a network (all, or one project's)")
      .argument('<network>')
      .option('--project <project>', "only this project's nodes"),
  ).action(
    run(async (net: string, o: { project?: string; json?: boolean }) => {
      const query = o.project === undefined ? '' : `?project=${encodeURIComponent(o.project)}`;
      const r = await c().call('GET', `network/${seg(net)}/attachments${query}`);
      if (o.json) return out(JSON.stringify(r));
      out(
        table(
          ['Node', 'Project', 'Nic', 'Channel'],
          Object.entries(r).map(([n, v]: [string, any]) => [n, v.project ?? '', v.nic, v.channel]),
        ),
      );
    }),
  );
  network
    .command('grant-access')
    .argument('<network>')
    .argument('<project>')
    .action(run(async (n: string, p: string) => void (await c().call('PUT', `network/${seg(n)}/access/${seg(p)}`))));
  network
    .command('revoke-access')
    .argument('<network>')
    .argument('<project>')
    .action(run(async (n: string, p: string) => void (await c().call('DELETE', `network/${seg(n)}/access/${seg(p)}`))));
  return network;
}
