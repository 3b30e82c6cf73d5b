// HIL's hil/cli/switch.py: the switch group.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, printList, run } from './helper.js';

const SWITCH_TYPE = 'http://schema.massopencloud.org/haas/v0/switches/';

/** Adds the `switch` group to the program. */
export function addSwitchCommands(program: Command): Command {
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
  return sw;
}
