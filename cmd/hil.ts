#!/usr/bin/env node
// hil: HIL's own CLI tree over the HIL v0 REST compatibility layer. Not implemented yet.
console.error('hil: the HIL v0 compatibility CLI is not implemented yet');
process.exit(2);
