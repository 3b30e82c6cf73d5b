// HIL's hil/cli/port.py: the port group (show, register, delete, revert, nic add|remove).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, printStatus, run } from './helper.js';

/** Adds the `port` group to the program. */
export function addPortCommands(program: Command): Command {
  const port = program.command('port').description('Commands related to port');
  json(
    port.command('show').description("Show what's connected to <port>").argument('<switch>').argument('<port>'),
  ).action(
    run(async (s: string, p: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `switch/${seg(s)}/port/${seg(p)}`);
      if (o.json) return out(JSON.stringify(r));
      const rows: unknown[][] = [];
      if ('node' in r) rows.push(['Node', r.node]);
      if ('nic' in r) rows.push(['NIC', r.nic]);
      if ('networks' in r)
        rows.push([
          'Networks',
          Object.entries(r.networks)
            .map(([ch, n]) => `${String(n)} (${ch})`)
            .join('\n'),
        ]);
      out(table(['Field', 'Value'], rows));
    }),
  );
  port
    .command('register')
    .description('Register a <port> with <switch>')
    .argument('<switch>')
    .argument('<port>')
    .action(run(async (s: string, p: string) => void (await c().call('PUT', `switch/${seg(s)}/port/${seg(p)}`))));
  port
    .command('delete')
    .description('Delete a <port> from a <switch>')
    .argument('<switch>')
    .argument('<port>')
    .action(run(async (s: string, p: string) => void (await c().call('DELETE', `switch/${seg(s)}/port/${seg(p)}`))));
  json(
    port
      .command('revert')
      .description('Detach a <port> on a <switch> from all attached networks.')
      .argument('<switch>')
      .argument('<port>'),
  ).action(
    run(async (s: string, p: string, o: { json?: boolean }) =>
      printStatus(await c().call('POST', `switch/${seg(s)}/port/${seg(p)}/revert`), o),
    ),
  );
  const portNic = port.command('nic').description('Operations affecting a port and a nic');
  portNic
    .command('add')
    .description('Connect a <port> on a <switch> to a <nic> on a <node>')
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
    .description("Detach a <port> on a <switch> from whatever's connected to it")
    .argument('<switch>')
    .argument('<port>')
    .action(
      run(async (s: string, p: string) => void (await c().call('POST', `switch/${seg(s)}/port/${seg(p)}/detach_nic`))),
    );
  return port;
}
