// HIL's hil/cli/switch.py: the switch group (show, list, register, delete).
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, ExitMessage, json, out, printList, run } from './helper.js';

const SWITCH_TYPE = 'http://schema.massopencloud.org/haas/v0/switches/';

/** HIL's known subtypes and their positional fields; any other subtype is a type URL with one switchinfo literal. */
const SUBTYPES: Record<string, { fields: string[]; usage: string }> = {
  nexus: {
    fields: ['hostname', 'username', 'password', 'dummy_vlan'],
    usage: 'requires exactly 4 arguments\n<hostname> <username> <password><dummy_vlan_no>\n',
  },
  mock: {
    fields: ['hostname', 'username', 'password'],
    usage: 'requires exactly 3 arguments\n<hostname> <username> <password>\n',
  },
  brocade: {
    fields: ['hostname', 'username', 'password', 'interface_type'],
    usage:
      'requires exactly 4 arguments\n<hostname> <username> <password> <interface_type>\nNOTE: interface_type refers to the speed of the switchports\n ex. TenGigabitEthernet, FortyGigabitEthernet, etc.\n',
  },
  ovs: { fields: ['ovs_bridge'], usage: 'requires exactly 1 arguments\n<ovs_bridge> \n' },
};
SUBTYPES.delln3000 = SUBTYPES.nexus;
SUBTYPES.powerconnect55xx = SUBTYPES.mock;
SUBTYPES.dellnos9 = SUBTYPES.brocade;

/** HIL reads a generic switchinfo with Python's ast.literal_eval: JSON, or a Python dict literal. */
function literal(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const py = text
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_, s: string) => JSON.stringify(s.replace(/\\'/g, "'")))
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b/g, 'null');
    try {
      return JSON.parse(py);
    } catch {
      throw new ExitMessage('Malformed switchinfo');
    }
  }
}

/** Adds the `switch` group to the program. */
export function addSwitchCommands(program: Command): Command {
  const sw = program.command('switch').description('Commands related to switch');
  json(sw.command('show').description('Display information about <switch>').argument('<switch>')).action(
    run(async (s: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `switch/${seg(s)}`);
      if (o.json) return out(JSON.stringify(r));
      const rows: unknown[][] = [];
      if ('name' in r) rows.push(['Name', r.name]);
      if ('capabilities' in r) rows.push(['Capabilities', r.capabilities.length ? r.capabilities[0] : 'Standard']);
      if ('ports' in r) {
        if (!r.ports.length) rows.push(['Ports', 'None']);
        (r.ports as { label: string }[]).forEach((p, i) => rows.push([i === 0 ? 'Ports' : '', p.label]));
      }
      out(table(['Field', 'Value'], rows));
    }),
  );
  json(sw.command('list').description('List all switches')).action(
    run(async (o: { json?: boolean }) => printList(await c().call('GET', 'switches'), 'Switches', !!o.json)),
  );
  sw.command('register')
    .description(
      'Register a switch with name <switch> and <subtype>, <hostname>, <username>, <password>; or, for any other ' +
        'subtype (a switch type URL), one switchinfo literal: hil switch register dell-1 \'http://example.com/schema/url\' \'{"foo": "bar"}\'',
    )
    .argument('<switch>')
    .argument('<subtype>', 'mock, powerconnect55xx, delln3000, nexus, brocade, dellnos9, ovs, or a switch type URL')
    .argument('[args...]')
    .action(
      run(async (s: string, subtype: string, args: string[]) => {
        const known = SUBTYPES[subtype];
        let type = subtype;
        let info: unknown;
        if (known) {
          if (args.length !== known.fields.length) throw new ExitMessage(`ERROR: subtype ${subtype} ${known.usage}`);
          info = Object.fromEntries(known.fields.map((k, i) => [k, args[i]]));
          type = `${SWITCH_TYPE}${subtype}`;
        } else {
          if (!args.length) throw new ExitMessage('No switchinfo provided');
          info = literal(args[0]);
        }
        await c().call('PUT', `switch/${seg(s)}`, { type, ...(info as object) });
      }),
    );
  sw.command('delete')
    .description('Delete a <switch>')
    .argument('<switch>')
    .action(run(async (s: string) => void (await c().call('DELETE', `switch/${seg(s)}`))));
  return sw;
}
