// HIL's hil/cli/node.py OBM commands, added to the `node` group: `node obm enable|disable NODE`,
// `node power on|off|cycle|status NODE`, `node bootdev NODE DEV` and `node console show NODE` (streams the console
// until Ctrl-C or the server ends it). As HIL's: `power cycle` never sends force=true; `power status` prints the
// answer as Python prints a dict (`{'power_status': 'on'}`); the others print nothing on success.
import type { Command } from 'commander';
import { seg } from '../client.js';
import { c, out, run } from './helper.js';

/** A flat JSON object as Python 3's print() shows a dict of strings (what HIL's `node power status` prints). */
function pyDict(o: unknown): string {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return JSON.stringify(o);
  const q = (v: unknown) =>
    typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v);
  return `{${Object.entries(o)
    .map(([k, v]) => `${q(k)}: ${q(v)}`)
    .join(', ')}}`;
}

export function addNodeObmCommands(node: Command): void {
  node
    .command('bootdev')
    .description("Set a node's boot device (disk, pxe or none), persistently")
    .argument('<node>')
    .argument('<bootdev>')
    .action(
      run(
        async (n: string, dev: string) => void (await c().call('PUT', `node/${seg(n)}/boot_device`, { bootdev: dev })),
      ),
    );

  const obm = node.command('obm').description('Commands related to obm configuration');
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    obm
      .command(name)
      .description(`${enabled ? 'Enable' : 'Disable'} <node>'s obm`)
      .argument('<node>')
      .action(run(async (n: string) => void (await c().call('PUT', `node/${seg(n)}/obm`, { enabled }))));
  }

  const power = node.command('power').description('Perform node power operations');
  power
    .command('off')
    .description('Power off <node>')
    .argument('<node>')
    .action(run(async (n: string) => void (await c().call('POST', `node/${seg(n)}/power_off`))));
  power
    .command('on')
    .description('Power on <node>')
    .argument('<node>')
    .action(run(async (n: string) => void (await c().call('POST', `node/${seg(n)}/power_on`))));
  power
    .command('cycle')
    .description('Power cycle <node>')
    .argument('<node>')
    .action(run(async (n: string) => void (await c().call('POST', `node/${seg(n)}/power_cycle`, { force: false }))));
  power
    .command('status')
    .description('Returns node power status')
    .argument('<node>')
    .action(run(async (n: string) => out(pyDict(await c().call('GET', `node/${seg(n)}/power_status`)))));

  const consoleGroup = node.command('console').description('Console related commands');
  consoleGroup
    .command('show')
    .description('Display console log for <node>: streams the console to standard output; press Ctrl+C to stop')
    .argument('<node>')
    .action(
      run(async (n: string) => {
        const body = await c().stream(`node/${seg(n)}/console`);
        const reader = body.getReader();
        process.once('SIGINT', () => void reader.cancel().catch(() => {}));
        for (;;) {
          const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (done) break;
          if (value) process.stdout.write(value);
        }
      }),
    );
}
