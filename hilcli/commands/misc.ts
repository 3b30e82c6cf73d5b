// HIL's hil/cli/misc.py: networking-action show.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { table } from '../table.js';
import { c, json, out, run } from './helper.js';

/** Adds the `networking-action` group to the program. */
export function addMiscCommands(program: Command): Command {
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
  return na;
}
