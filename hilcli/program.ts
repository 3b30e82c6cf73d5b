// The `hil` command tree, one module per group as HIL's hil/cli/*.py.
import { Command } from 'commander';
import { addMiscCommands } from './commands/misc.js';
import { addNetworkCommands } from './commands/network.js';
import { addNodeCommands } from './commands/node.js';
import { addPortCommands } from './commands/port.js';
import { addProjectCommands } from './commands/project.js';
import { addSwitchCommands } from './commands/switch.js';
import { addUserCommands } from './commands/user.js';

export function hilProgram(): Command {
  const program = new Command('hil')
    .description("HIL's command line (the v0 REST API at $HIL_ENDPOINT)")
    .showHelpAfterError();
  program.version(process.env.npm_package_version ?? '0.1.0');
  addNodeCommands(program);
  addProjectCommands(program);
  addNetworkCommands(program);
  addSwitchCommands(program);
  addPortCommands(program);
  addUserCommands(program);
  addMiscCommands(program);
  return program;
}
