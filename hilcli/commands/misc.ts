// HIL's hil/cli/misc.py: networking-action show.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, run } from './helper.js';

/** Adds the `networking-action` group to the program. */
export function addMiscCommands(program: Command): Command {
  const na = program.command('networking-action').description('Commands related to networking-actions');
  json(na.command('show').description('Displays the status of the networking action').argument('<status_id>')).action(
    run(async (id: string, o: { json?: boolean }) => {
      const r = await c().call('GET', `networking_action/${seg(id)}`);
      if (o.json) return out(JSON.stringify(r));
      const rows: unknown[][] = [];
      const field = (key: string, label: string) => key in r && rows.push([label, r[key]]);
      field('node', 'Node');
      field('nic', 'NIC');
      field('new_network', 'New Network');
      field('type', 'Type');
      field('channel', 'Channel');
      field('status', 'Status');
      out(table(['Field', 'Value'], rows));
    }),
  );
  return na;
}
