#!/usr/bin/env node
// hilctl: the everyday command line. Wiring only: the commands live in hilctl/.
import { Command, Option } from 'commander';
import { runApply } from '../hilctl/apply.js';
import { normalizeBooleanFlags } from '../hilctl/argv.js';
import { runAttach, runDetach } from '../hilctl/attach.js';
import { runClaim, runRelease } from '../hilctl/claim.js';
import { BASH_SCRIPT, complete, ZSH_SCRIPT } from '../hilctl/completion.js';
import { runConsole } from '../hilctl/console.js';
import { runDelete } from '../hilctl/delete.js';
import { runDescribe } from '../hilctl/describe.js';
import { runDiff } from '../hilctl/diff.js';
import { runEdit } from '../hilctl/edit.js';
import { CliError, formatError } from '../hilctl/errors.js';
import { runGet } from '../hilctl/get.js';
import { runApiResources, runVersion } from '../hilctl/info.js';
import { runLogin, runSetPassword } from '../hilctl/login.js';
import { runPower } from '../hilctl/power.js';
import { processIo, Session } from '../hilctl/session.js';
import { runWait } from '../hilctl/wait.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

const program = new Command('hilctl')
  .description(
    'Manage HIL (Hardware Isolation Layer) resources: apply, get, describe, delete, diff, wait, and HIL-style node, network and project actions',
  )
  .showHelpAfterError('(run with --help for usage)')
  .option('--kubeconfig <file>', 'kubeconfig file to use (default: $KUBECONFIG, else ~/.kube/config)')
  .option('--context <name>', 'kubeconfig context to use')
  .option('-s, --server <url>', 'API server address (overrides HIL_ENDPOINT and the kubeconfig)')
  .option('--token <token>', 'bearer token (overrides HIL_TOKEN and the kubeconfig user)')
  .option('--certificate-authority <file>', 'CA certificate file to verify the server with')
  .option('--insecure-skip-tls-verify', 'do not verify the server certificate (unsafe)')
  .option('-n, --namespace <ns>', 'namespace for namespaced kinds (Secrets, Events)')
  .option('--request-timeout <duration>', 'give up on a request after this long (e.g. 30s; 0 = never)')
  .option('-v, --verbose', 'say more, with stack traces on errors');

/** Runs a command with a Session built from the global flags; errors become kubectl-style messages. */
function action<A extends unknown[]>(fn: (s: Session, ...args: A) => Promise<number>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const s = new Session(cmd.optsWithGlobals(), processIo());
    try {
      process.exitCode = await fn(s, ...(args.slice(0, -1) as A));
    } catch (err) {
      s.err(formatError(err, !!s.opts.verbose));
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    } finally {
      s.close();
    }
  };
}

const dryRun = () =>
  new Option('--dry-run <mode>', 'server: the server checks everything and stores nothing').choices([
    'none',
    'server',
    'client',
  ]);

program
  .command('apply')
  .description('create or update objects from files (server-side apply, field manager "hilctl")')
  .option('-f, --filename <path>', 'file, folder or - (stdin); repeatable', collect)
  .option('-R, --recursive', 'read subfolders of folders too')
  .addOption(dryRun())
  .option('--force-conflicts', 'take over fields another applier manages')
  .option('--prune', 'delete objects carrying the -l labels that are no longer in the files')
  .option('-l, --selector <selector>', 'apply (and prune) only objects with these labels')
  .option(
    '--prune-allowlist <kind>',
    'kinds to prune (default: every HIL kind and the kinds in the files); repeatable',
    collect,
  )
  .option('-o, --output <format>', '"name": print only the object names')
  .action(action((s, o: any) => runApply(s, o)));

program
  .command('get')
  .description('list objects as tables, or print them (-o yaml|json|name|wide|jsonpath=…|custom-columns=…)')
  .argument('[args...]', 'KIND[,KIND…] [NAME…] or KIND/NAME…')
  .option('-o, --output <format>', 'wide, yaml, json, name, jsonpath=TEMPLATE, custom-columns=SPEC')
  .option('-l, --selector <selector>', 'label selector, e.g. rack=r1,env!=prod')
  .option('--field-selector <selector>', 'field selector, e.g. spec.project=runway')
  .option('-w, --watch', 'after listing, print every change')
  .option('--watch-only', 'print changes only, not the current list')
  .option('--output-watch-events', 'with -w: show the event type (ADDED, MODIFIED, DELETED)')
  .option('--all', 'every HIL kind')
  .option('-A, --all-namespaces', 'namespaced kinds: every namespace')
  .option('--no-headers', 'no table header')
  .option('--show-labels', 'add a LABELS column')
  .option('--show-managed-fields', 'keep metadata.managedFields in yaml/json output')
  .option('--ignore-not-found', 'a missing NAME is not an error')
  .option('-f, --filename <path>', 'the objects named in these files', collect)
  .option('-R, --recursive', 'with -f: subfolders too')
  .option('--raw <path>', 'GET this API path and print the answer as is')
  .action(action((s, args: string[], o: any) => runGet(s, args, { ...o, noHeaders: o.headers === false })));

program
  .command('describe')
  .description('show an object in detail: spec, status, conditions, related objects and events')
  .argument('<args...>', 'KIND [NAME…] or KIND/NAME…')
  .option('-l, --selector <selector>', 'describe every object with these labels')
  .option('-A, --all-namespaces', 'namespaced kinds: every namespace')
  .action(action((s, args: string[], o: any) => runDescribe(s, args, o)));

program
  .command('delete')
  .description('delete objects (from files, by name, or by label) and wait until they are gone')
  .argument('[args...]', 'KIND NAME…, KIND/NAME…, or KIND with -l / --all')
  .option('-f, --filename <path>', 'delete the objects in these files', collect)
  .option('-R, --recursive', 'with -f: subfolders too')
  .option('-l, --selector <selector>', 'delete the objects with these labels')
  .option('--field-selector <selector>', 'delete the objects matching this field selector')
  .option('--all', 'delete every object of the kind')
  .option('--ignore-not-found', 'a missing object is not an error')
  .option('--wait', 'wait until the objects are gone (default)')
  .option('--no-wait', 'return as soon as deletion is requested')
  .option('--timeout <duration>', 'how long to wait (default: as long as it takes)')
  .addOption(dryRun())
  .option('-o, --output <format>', '"name": print only the object names')
  .action(action((s, args: string[], o: any) => runDelete(s, args, o)));

program
  .command('diff')
  .description('show what apply would change, as a unified diff (exit 0: none, 1: changes, 2: error)')
  .option('-f, --filename <path>', 'file, folder or - (stdin); repeatable', collect)
  .option('-R, --recursive', 'read subfolders of folders too')
  .option('--force-conflicts', 'as apply --force-conflicts')
  .option('--prune', 'also show the objects apply --prune would delete')
  .option('-l, --selector <selector>', 'with --prune: the label that marks managed objects')
  .option('--prune-allowlist <kind>', 'kinds to prune; repeatable', collect)
  .action(
    action(async (s, o: any) => {
      const code = await runDiff(s, o);
      return code;
    }),
  );

program
  .command('wait')
  .description('wait for a condition, a value, creation or deletion of objects')
  .argument('[args...]', 'KIND/NAME…, KIND NAME…, or KIND with -l / --all')
  .option('--for <what>', "condition=TYPE[=STATUS], delete, create, or jsonpath='{PATH}'=VALUE")
  .option('--timeout <duration>', 'give up after this long (default 30s; 0 = check once; negative = a week)')
  .option('-l, --selector <selector>', 'the objects with these labels')
  .option('--all', 'every object of the kind')
  .option('-f, --filename <path>', 'the objects named in these files', collect)
  .option('-R, --recursive', 'with -f: subfolders too')
  .action(action((s, args: string[], o: any) => runWait(s, args, o)));

program
  .command('edit')
  .description('edit an object in $KUBE_EDITOR or $EDITOR (default vi)')
  .argument('<args...>', 'KIND NAME or KIND/NAME')
  .action(action((s, args: string[]) => runEdit(s, args)));

const powerCommand = (parent: Command) =>
  parent
    .command('power')
    .description(
      'power a node on or off, power-cycle it, or show its power state (Node spec.power / hil.io/power-cycle)',
    )
    .argument('<action>', 'on, off, cycle or status')
    .argument('<nodes...>', 'node names')
    .addOption(dryRun())
    .action(action((s, act: string, nodes: string[], o: any) => runPower(s, act, nodes, o)));

const claimCommands = (parent: Command) => {
  parent
    .command('claim')
    .description('lend a free node to a project (Node spec.project)')
    .argument('<node>')
    .option('-p, --project <project>', 'the project (default: your only project)')
    .addOption(dryRun())
    .action(action((s, node: string, o: any) => runClaim(s, node, o)));
  parent
    .command('release')
    .description('give a node back (it must have no network attachments left)')
    .argument('<node>')
    .option('-p, --project <project>', 'check that the node belongs to this project')
    .addOption(dryRun())
    .action(action((s, node: string, o: any) => runRelease(s, node, o)));
};

const nodeCommand = program.command('node').description('HIL node actions');
powerCommand(nodeCommand);
nodeCommand
  .command('console')
  .description("show a node's serial console (read-only): the output so far, then live output until Ctrl-C")
  .argument('<node>')
  .option('--no-follow', 'print the output so far and stop')
  .action(action((s, node: string, o: any) => runConsole(s, node, o)));
powerCommand(program);
claimCommands(program.command('project').description('HIL project actions: claim and release nodes'));
claimCommands(program);

program
  .command('attach')
  .description('put a node NIC on a network (creates a NetworkAttachment <node>-<nic>-<network>)')
  .argument('<node>')
  .argument('<nic>')
  .argument('<network>')
  .option('--tagged', 'carry the network tagged (802.1Q) rather than native (untagged)')
  .option('--name <name>', 'name of the NetworkAttachment (default <node>-<nic>-<network>)')
  .option('--wait', 'wait until the switch port carries the network (condition Ready)')
  .option('--timeout <duration>', 'with --wait: how long (default 60s)')
  .addOption(dryRun())
  .action(action((s, node: string, nic: string, net: string, o: any) => runAttach(s, node, nic, net, o)));

program
  .command('detach')
  .description('take a node NIC off a network (deletes its NetworkAttachment)')
  .argument('<node>')
  .argument('<nic>')
  .argument('<network>')
  .option('--wait', 'wait until the switch port is reverted and the attachment is gone')
  .option('--timeout <duration>', 'with --wait: how long (default 60s)')
  .addOption(dryRun())
  .action(action((s, node: string, nic: string, net: string, o: any) => runDetach(s, node, nic, net, o)));

program
  .command('login')
  .description('log in with a username and password and store the token in a kubeconfig context')
  .option('-u, --username <name>', 'user name (default: HIL_USERNAME, or asked)')
  .option('--password-stdin', 'read the password from stdin (default: HIL_PASSWORD, or asked)')
  .option('--expiration <duration>', 'how long the token should be valid (default 24h; 0 = the server decides)')
  .option('--context-name <name>', 'name of the kubeconfig context to write (default USER@HOST:PORT)')
  .action(action((s, o: any) => runLogin(s, o)));

program
  .command('user')
  .description('HIL user actions')
  .command('set-password')
  .description("set a user's password (users/NAME/password; the server keeps only a hash)")
  .argument('<user>')
  .option('--password-stdin', 'read the password from stdin (default: asked twice)')
  .action(action((s, user: string, o: any) => runSetPassword(s, user, o)));

program
  .command('api-resources')
  .description('the kinds the server serves, with their short names')
  .option('-o, --output <format>', '"name": only the names')
  .option('--no-headers', 'no table header')
  .action(action((s, o: any) => runApiResources(s, { output: o.output, noHeaders: o.headers === false })));

program
  .command('version')
  .description('client and server versions')
  .option('--client', 'the client version only')
  .action(action((s, o: any) => runVersion(s, o)));

program
  .command('completion')
  .description('print a shell completion script: source <(hilctl completion bash)')
  .argument('<shell>', 'bash or zsh')
  .action(
    action(async (s, shell: string) => {
      if (shell === 'bash') s.write(BASH_SCRIPT);
      else if (shell === 'zsh') s.write(ZSH_SCRIPT);
      else throw new CliError(`no completion for "${shell}": use bash or zsh`);
      return 0;
    }),
  );

const argv = process.argv.slice(2);
if (argv[0] === '__complete') {
  // Called by the completion scripts with the words typed so far; prints one candidate per line.
  complete(program, argv.slice(1), processIo()).then(
    (c) => process.stdout.write(c.length ? `${c.join('\n')}\n` : ''),
    () => undefined,
  );
} else {
  program.parseAsync(normalizeBooleanFlags(program, argv), { from: 'user' }).catch((err) => {
    process.stderr.write(`${formatError(err, argv.includes('-v') || argv.includes('--verbose'))}\n`);
    process.exitCode = 1;
  });
}
