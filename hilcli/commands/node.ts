// HIL's hil/cli/node.py: the node group (list, show, register, delete, nic, network).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, printList, run } from './helper.js';

/** Adds the `node` group to the program. */
export function addNodeCommands(program: Command): Command {
  const node = program.command('node').description('Commands related to node');
  json(node.command('list').description('List all nodes or free nodes').argument('<pool>', 'free or all')).action(
    run(async (pool: string, o: { json?: boolean }) => {
      if (pool !== 'free' && pool !== 'all')
        throw new Error(`Invalid value for "pool": invalid choice: ${pool}. (choose from free, all)`);
      printList(await c().call('GET', `nodes/${pool}`), pool === 'free' ? 'Free Nodes' : 'All Nodes', !!o.json);
    }),
  );
  json(node.command('show').description('Show node information').argument('<node>')).action(
    run(async (n: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `node/${seg(n)}`);
      if (o.json) return out(JSON.stringify(r));
      const rows: unknown[][] = [
        ['Project', r.project],
        ['Name', r.name],
        ['', ''],
      ];
      for (const nic of r.nics ?? []) {
        rows.push(['Label', nic.label], ['Macaddr', nic.macaddr]);
        if ('switch' in nic) rows.push(['Switch', nic.switch]);
        if ('port' in nic) rows.push(['Port', nic.port]);
        const nets = Object.entries(nic.networks ?? {});
        if (!nets.length) rows.push(['Networks', 'None']);
        nets.forEach(([ch, net], i) => rows.push([i === 0 ? 'Networks' : '', `${String(net)}(${ch})`]));
        rows.push(['', '']);
      }
      for (const [k, v] of Object.entries(r.metadata ?? {})) rows.push([k, String(v).replace(/^"+|"+$/g, '')]);
      out(table(['Field', 'Value'], rows));
    }),
  );
  node
    .command('register')
    .description('Register a new node')
    .argument('<node>')
    .argument('<obmd-uri>')
    .argument('<obmd-admin-token>')
    .action(
      run(async (n: string, uri: string, token: string) => {
        await c().call('PUT', `node/${seg(n)}`, { obmd: { uri, admin_token: token } });
      }),
    );
  node
    .command('delete')
    .description('Delete a node')
    .argument('<node>')
    .action(run(async (n: string) => void (await c().call('DELETE', `node/${seg(n)}`))));
  const nodeNic = node.command('nic').description("Node's nics commands");
  nodeNic
    .command('register')
    .argument('<node>')
    .argument('<nic>')
    .argument('<macaddress>')
    .action(
      run(
        async (n: string, nic: string, mac: string) =>
          void (await c().call('PUT', `node/${seg(n)}/nic/${seg(nic)}`, { macaddr: mac })),
      ),
    );
  nodeNic
    .command('delete')
    .argument('<node>')
    .argument('<nic>')
    .action(run(async (n: string, nic: string) => void (await c().call('DELETE', `node/${seg(n)}/nic/${seg(nic)}`))));
  const nodeNet = node.command('network').description('Perform node network operations');
  const statusTable = (r: any, o: { json?: boolean }) =>
    out(o.json ? JSON.stringify(r) : table(['Field', 'Value'], [['Status ID', r.status_id]]));
  json(
    nodeNet
      .command('connect')
      .description('Connect a node to a network')
      .argument('<node>')
      .argument('<nic>')
      .argument('<network>')
      .argument('[channel]', 'channel', ''),
  ).action(
    run(async (n: string, nic: string, net: string, channel: string, o: { json?: boolean }) => {
      // HIL's CLI sends an omitted channel as "" (which HIL refuses as an illegal channel); so does this one.
      statusTable(
        await c().call('POST', `node/${seg(n)}/nic/${seg(nic)}/connect_network`, { network: net, channel }),
        o,
      );
    }),
  );
  json(
    nodeNet
      .command('detach')
      .description('Detach node from a network')
      .argument('<node>')
      .argument('<nic>')
      .argument('<network>'),
  ).action(
    run(async (n: string, nic: string, net: string, o: { json?: boolean }) =>
      statusTable(await c().call('POST', `node/${seg(n)}/nic/${seg(nic)}/detach_network`, { network: net }), o),
    ),
  );
  return node;
}
