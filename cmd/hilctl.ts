#!/usr/bin/env node
// hilctl: the everyday command line. Its commands arrive with the hilctl issue; until then it says so.
import { Command } from 'commander';

const program = new Command('hilctl').description('Manage HIL resources (apply, get, describe, delete, …)');
program.action(() => {
  console.error('hilctl: not implemented yet; use kubectl against the HIL API server meanwhile (see README.md)');
  process.exit(2);
});
program.parse(process.argv);
