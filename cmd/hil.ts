#!/usr/bin/env node
// hil: HIL's own command line (hil/cli/*.py), a thin client of the v0 REST API. Same command tree, positional
// arguments and --json; human tables like HIL's; failures print "Error: <msg>" and exit 1.
// Environment: HIL_ENDPOINT (required), HIL_USERNAME + HIL_PASSWORD (HTTP basic).
import { Command } from 'commander';
import { HilCallError, HilClient, seg } from '../hilcli/client.js';
import { table } from '../hilcli/table.js';
import { addNodeObmCommands } from '../hilcli/node-obm.js';

const SWITCH_TYPE = 'http://schema.massopencloud.org/haas/v0/switches/';

let client: HilClient | undefined;
function c(): HilClient {
  if (client) return client;
  const endpoint = process.env.HIL_ENDPOINT;
  if (!endpoint)
    throw new HilCallError(
      'config',
      'HIL_ENDPOINT is not set; set it to the HIL server, e.g. http://127.0.0.1:5000',
      0,
    );
  client = new HilClient({ endpoint, username: process.env.HIL_USERNAME, password: process.env.HIL_PASSWORD });
  return client;
}

const out = (s: string): void => void process.stdout.write(`${s}\n`);

/** A list: `--json` prints it raw; otherwise HIL's one-column table. An empty list prints `[]`, as HIL's install guide shows. */
function printList(list: string[], heading: string, json: boolean) {
  if (json || list.length === 0) out(JSON.stringify(list));
  else
    out(
      table(
        [heading],
        list.map((x) => [x]),
      ),
    );
}

function run<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const msg = err instanceof HilCallError ? err.message || err.errorType : ((err as Error)?.message ?? String(err));
      process.stderr.write(`Error: ${msg}\n`);
      process.exitCode = 1;
    }
  };
}

const program = new Command('hil')
  .description("HIL's command line (the v0 REST API at $HIL_ENDPOINT)")
  .showHelpAfterError();
program.version(process.env.npm_package_version ?? '0.1.0');
const json = (cmd: Command) => cmd.option('--json', 'print the raw JSON answer');

// ---- node ---------------------------------------------------------------------------------------------------
const node = program.command('node').description('Commands related to node');
addNodeObmCommands(node);
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
    statusTable(await c().call('POST', `node/${seg(n)}/nic/${seg(nic)}/connect_network`, { network: net, channel }), o);
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

// ---- project ------------------------------------------------------------------------------------------------
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

// ---- network ------------------------------------------------------------------------------------------------
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

// ---- switch and port ----------------------------------------------------------------------------------------
const sw = program.command('switch').description('Commands related to switch');
sw.command('register')
  .argument('<switch>')
  .argument('<subtype>', 'mock, powerconnect55xx, delln3000, nexus, brocade, dellnos9, ovs')
  .argument('[args...]')
  .action(
    run(async (s: string, subtype: string, args: string[]) => {
      const fields: Record<string, string[]> = {
        mock: ['hostname', 'username', 'password'],
        powerconnect55xx: ['hostname', 'username', 'password'],
        nexus: ['hostname', 'username', 'password', 'dummy_vlan'],
        delln3000: ['hostname', 'username', 'password', 'dummy_vlan'],
        brocade: ['hostname', 'username', 'password', 'interface_type'],
        dellnos9: ['hostname', 'username', 'password', 'interface_type'],
        ovs: ['ovs_bridge'],
      };
      const names = fields[subtype];
      if (!names) throw new Error(`unknown switch type ${subtype}`);
      if (args.length !== names.length) throw new Error(`switch register ${subtype} takes: ${names.join(' ')}`);
      await c().call('PUT', `switch/${seg(s)}`, {
        type: `${SWITCH_TYPE}${subtype}`,
        ...Object.fromEntries(names.map((k, i) => [k, args[i]])),
      });
    }),
  );
sw.command('delete')
  .argument('<switch>')
  .action(run(async (s: string) => void (await c().call('DELETE', `switch/${seg(s)}`))));
json(sw.command('list')).action(
  run(async (o: { json?: boolean }) => printList(await c().call('GET', 'switches'), 'Switches', !!o.json)),
);
json(sw.command('show').argument('<switch>')).action(
  run(async (s: string, o: { json?: boolean }) => {
    const r = await c().call('GET', `switch/${seg(s)}`);
    if (o.json) return out(JSON.stringify(r));
    out(
      table(
        ['Field', 'Value'],
        [
          ['Name', r.name],
          ['Ports', r.ports.map((p: { label: string }) => p.label).join(', ')],
          ['Capabilities', r.capabilities.join(', ')],
        ],
      ),
    );
  }),
);
const port = program.command('port').description('Commands related to port');
port
  .command('register')
  .argument('<switch>')
  .argument('<port>')
  .action(run(async (s: string, p: string) => void (await c().call('PUT', `switch/${seg(s)}/port/${seg(p)}`))));
port
  .command('delete')
  .argument('<switch>')
  .argument('<port>')
  .action(run(async (s: string, p: string) => void (await c().call('DELETE', `switch/${seg(s)}/port/${seg(p)}`))));
json(port.command('show').argument('<switch>').argument('<port>')).action(
  run(async (s: string, p: string, o: { json?: boolean }) => {
    const r = await c().call('GET', `switch/${seg(s)}/port/${seg(p)}`);
    if (o.json) return out(JSON.stringify(r));
    out(
      table(
        ['Field', 'Value'],
        [
          ['Node', r.node],
          ['Nic', r.nic],
          [
            'Networks',
            Object.entries(r.networks ?? {})
              .map(([ch, n]) => `${String(n)}(${ch})`)
              .join(', '),
          ],
        ],
      ),
    );
  }),
);
const portNic = port.command('nic').description('Port and nic related operations');
portNic
  .command('add')
  .argument('<switch>')
  .argument('<port>')
  .argument('<node>')
  .argument('<nic>')
  .action(
    run(
      async (s: string, p: string, n: string, nic: string) =>
        void (await c().call('POST', `switch/${seg(s)}/port/${seg(p)}/connect_nic`, { node: n, nic })),
    ),
  );
portNic
  .command('remove')
  .argument('<switch>')
  .argument('<port>')
  .action(
    run(async (s: string, p: string) => void (await c().call('POST', `switch/${seg(s)}/port/${seg(p)}/detach_nic`))),
  );

// ---- user ---------------------------------------------------------------------------------------------------
const user = program.command('user').description('Commands related to user');
const adminFlag = (v: string) => {
  if (v !== 'admin' && v !== 'regular') throw new Error(`Invalid value: ${v} (choose from admin, regular)`);
  return v === 'admin';
};
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

// ---- networking-action --------------------------------------------------------------------------------------
const na = program.command('networking-action').description('Commands related to networking actions');
json(na.command('show').argument('<status_id>')).action(
  run(async (id: string, o: { json?: boolean }) => {
    const r = await c().call('GET', `networking_action/${seg(id)}`);
    if (o.json) return out(JSON.stringify(r));
    out(
      table(
        ['Field', 'Value'],
        [
          ['Status', r.status],
          ['Node', r.node],
          ['Nic', r.nic],
          ['Type', r.type],
          ['Channel', r.channel],
          ['New network', r.new_network],
        ],
      ),
    );
  }),
);

await program.parseAsync(process.argv);
