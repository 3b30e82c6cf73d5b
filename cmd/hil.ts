#!/usr/bin/env node
// hil: HIL's own command line (hil/cli/*.py), a thin client of the v0 REST API. Same command tree, positional
// arguments and --json; human tables like HIL's; failures print "Error: <msg>" and exit 1. The tree is in
// hilcli/commands/, one module per HIL group. Environment: HIL_ENDPOINT (required), HIL_USERNAME + HIL_PASSWORD,
// or OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME for a Keystone token.
import { bashCompletion } from '../hilcli/completion.js';
import { hilProgram } from '../hilcli/program.js';

const program = hilProgram();
// click's completion hook, which HIL's CLI answered: eval "$(_HIL_COMPLETE=source hil)".
if (process.env._HIL_COMPLETE === 'source' || process.env._HIL_COMPLETE === 'bash_source')
  process.stdout.write(bashCompletion(program));
else await program.parseAsync(process.argv);
