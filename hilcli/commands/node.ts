// HIL's hil/cli/node.py: the node group (list, show, register, delete, nic, network, metadata). The OBM commands
// (obm, power, bootdev, console) are added to this group by hilcli/commands/node-obm.ts.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, choice, json, out, printList, printStatus, run } from './helper.js';

/** Adds the `node` group to the program, and answers it (for the OBM commands added beside). */
export function addNodeCommands(program: Command): Command {
  const node = program.command('node').description('Commands related to node');
  json(node.command('list').description('List all nodes or free nodes').argument('<pool>', 'free or all')).action(
    run(async (pool: string, o: { json?: boolean }) => {
      choice('pool', pool, ['free', 'all']);
      printList(await c().call('GET', `nodes/${pool}`), pool === 'free' ? 'Free Nodes' : 'All Nodes', !!o.json);
    }),
  );
  json(node.command('show').description('Show node information').argument('<node>')).action(
    run(async (n: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `node/${seg(n)}`);
      if (o.json) return out(JSON.stringify(r));
      const rows: unknown[][] = [];
      if ('project' in r) rows.push(['Project', r.project]);
      if ('name' in r) rows.push(['Name', r.name], ['', '']);
      for (const nic of r.nics ?? []) {
        if ('label' in nic) rows.push(['Label', nic.label]);
        if ('macaddr' in nic) rows.push(['Macaddr', nic.macaddr]);
        if ('switch' in nic) rows.push(['Switch', nic.switch]);
        if ('port' in nic) rows.push(['Port', nic.port]);
        if ('networks' in nic) {
          const nets = Object.entries(nic.networks ?? {});
          if (!nets.length) rows.push(['Networks', 'None']);
          nets.forEach(([ch, net], i) => rows.push([i === 0 ? 'Networks' : '', `${String(net)}(${ch})`]));
          rows.push(['', '']);
        }
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

  const nodeNet = node.command('network').description('Perform node network operations');
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
      printStatus(
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
      printStatus(await c().call('POST', `node/${seg(n)}/nic/${seg(nic)}/detach_network`, { network: net }), o),
    ),
  );

  const nodeNic = node.command('nic').description("Node's nics commands");
  nodeNic
    .command('register')
    .description('Register existence of a <nic> with the given <macaddr> on the given <node>')
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
    .description('Delete a <nic> on a <node>')
    .argument('<node>')
    .argument('<nic>')
    .action(run(async (n: string, nic: string) => void (await c().call('DELETE', `node/${seg(n)}/nic/${seg(nic)}`))));

  const metadata = node.command('metadata').description('Node metadata commands');
  metadata
    .command('add')
    .description('Register metadata with <label> and <value> with <node>')
    .argument('<node>')
    .argument('<label>')
    .argument('<value>')
    .action(
      run(
        async (n: string, label: string, value: string) =>
          // HIL's client sends the value as a JSON string.
          void (await c().call('PUT', `node/${seg(n)}/metadata/${seg(label)}`, { value })),
      ),
    );
  metadata
    .command('delete')
    .description('Delete metadata with <label> from a <node>')
    .argument('<node>')
    .argument('<label>')
    .action(
      run(async (n: string, label: string) => void (await c().call('DELETE', `node/${seg(n)}/metadata/${seg(label)}`))),
    );
  return node;
}
