// HIL's hil/cli/headnode.py: the headnode group. As HIL's, these commands print the answer's body as it is (an
// empty line for a write) rather than a table, have no --json, and on failure print the error body as it is. (HIL's own headnode commands send their
// requests without the /v0 prefix, and its `network detach` cannot run; these use /v0 as every other command.)
import type { Command } from 'commander';
import { HilCallError, seg } from '../client.js';
import { c, out, run } from './helper.js';

async function call(method: string, path: string, body?: unknown): Promise<void> {
  try {
    out((await c().request(method, path, body)).text);
  } catch (err) {
    if (err instanceof HilCallError && err.body) throw new Error(err.body);
    throw err;
  }
}

/** Adds the `headnode` group to the program. */
export function addHeadnodeCommands(program: Command): Command {
  const headnode = program.command('headnode').description('Commands related to headnode');
  headnode
    .command('create')
    .description('Create a <headnode> in a <project> with <base_img>')
    .argument('<headnode>')
    .argument('<project>')
    .argument('<base-img>')
    .action(
      run((h: string, project: string, img: string) => call('PUT', `headnode/${seg(h)}`, { project, base_img: img })),
    );
  headnode
    .command('delete')
    .description('Delete <headnode>')
    .argument('<headnode>')
    .action(run((h: string) => call('DELETE', `headnode/${seg(h)}`)));
  headnode
    .command('start')
    .description('Start <headnode>')
    .argument('<headnode>')
    .action(run((h: string) => call('POST', `headnode/${seg(h)}/start`, {})));
  headnode
    .command('stop')
    .description('Stop <headnode>')
    .argument('<headnode>')
    .action(run((h: string) => call('POST', `headnode/${seg(h)}/stop`, {})));
  headnode
    .command('list')
    .description('List all headnodes attached to a <project>')
    .argument('<project>')
    .action(run((p: string) => call('GET', `project/${seg(p)}/headnodes`)));
  headnode
    .command('show')
    .description('Display information about a <headnode>')
    .argument('<headnode>')
    .action(run((h: string) => call('GET', `headnode/${seg(h)}`)));
  headnode
    .command('list-images')
    .description('Display registered headnode images')
    .action(run(() => call('GET', 'headnode_images/')));
  const hnic = headnode.command('nic').description("Headnode's nics commands");
  hnic
    .command('create')
    .description('Create a <nic> on the given <headnode>')
    .argument('<headnode>')
    .argument('<nic>')
    .action(run((h: string, nic: string) => call('PUT', `headnode/${seg(h)}/hnic/${seg(nic)}`, {})));
  hnic
    .command('delete')
    .description('Delete a <nic> on a <headnode>')
    .argument('<headnode>')
    .argument('<nic>')
    .action(run((h: string, nic: string) => call('DELETE', `headnode/${seg(h)}/hnic/${seg(nic)}`)));
  const net = headnode.command('network').description('Perform headnode network operations');
  net
    .command('connect')
    .description('Connect <headnode> to <network> on given <nic>')
    .argument('<headnode>')
    .argument('<nic>')
    .argument('<network>')
    .action(
      run((h: string, nic: string, network: string) =>
        call('POST', `headnode/${seg(h)}/hnic/${seg(nic)}/connect_network`, { network }),
      ),
    );
  net
    .command('detach')
    .description('Detach <headnode> from the network on given <nic>')
    .argument('<headnode>')
    .argument('<nic>')
    .argument('<network>')
    .action(run((h: string, nic: string) => call('POST', `headnode/${seg(h)}/hnic/${seg(nic)}/detach_network`, {})));
  return headnode;
}
