#!/usr/bin/env node
// hil: HIL's own command line (hil/cli/*.py), a thin client of the v0 REST API. Same command tree, positional
// arguments and --json; human tables like HIL's; failures print "Error: <msg>" and exit 1. The tree is in
// hilcli/commands/, one module per HIL group. Environment: HIL_ENDPOINT (required), HIL_USERNAME + HIL_PASSWORD.
import { hilProgram } from '../hilcli/program.js';

await hilProgram().parseAsync(process.argv);
