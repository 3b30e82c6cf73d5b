// HIL's hil/cli/port.py: the port group.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, run } from './helper.js';

/** Adds the `port` group to the program. */
export function addPortCommands(program: Command): Command {
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
  return port;
}
