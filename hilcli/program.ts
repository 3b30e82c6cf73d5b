// The `hil` command tree, one module per group as HIL's hil/cli/*.py, plus `completion`.
import { Command } from 'commander';
import { addHeadnodeCommands } from './commands/headnode.js';
import { addMiscCommands } from './commands/misc.js';
import { addNetworkCommands } from './commands/network.js';
import { addNodeCommands } from './commands/node.js';
import { addNodeObmCommands } from './commands/node-obm.js';
import { addPortCommands } from './commands/port.js';
import { addProjectCommands } from './commands/project.js';
import { addSwitchCommands } from './commands/switch.js';
import { addUserCommands } from './commands/user.js';
import { bashCompletion } from './completion.js';

export function hilProgram(): Command {
  const program = new Command('hil')
    .description(
      "HIL's command line (the v0 REST API at $HIL_ENDPOINT; HIL_USERNAME/HIL_PASSWORD, or OS_* for Keystone)",
    )
    .showHelpAfterError();
  program.version(process.env.npm_package_version ?? '0.1.0');
  addNodeObmCommands(addNodeCommands(program));
  addProjectCommands(program);
  addNetworkCommands(program);
  addSwitchCommands(program);
  addPortCommands(program);
  addUserCommands(program);
  addMiscCommands(program);
  addHeadnodeCommands(program);
  program
    .command('completion')
    .description('Print a completion script: eval "$(hil completion bash)"')
    .argument('<shell>', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash') {
        process.stderr.write(`Error: no completion for ${shell}; only bash\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(bashCompletion(program));
    });
  return program;
}
