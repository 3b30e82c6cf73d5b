#!/usr/bin/env node
// hil-admin: run and administer a HIL installation. Wiring only; the work is in apiserver/ and controllers/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config/hilcfg.js';
import { createLogger, setLogFormat } from '../common/logging.js';
import {
  describeStore,
  openConfiguredStore,
  readConfig,
  resolveSettings,
  serve,
  type ServeFlags,
} from '../apiserver/serve.js';
import { createAdminUser, createToken } from '../apiserver/admin-tasks.js';
import { newInternalToken } from '../apiserver/auth/internal.js';
import { parseVlanList } from '../api/v1alpha1/vlans.js';

/** The VLAN pool of `serve --controllers` when hil.cfg names none: inside the example switch's vlanRange (manifests/examples). */
const EMBEDDED_VLAN_POOL = '1000-1099';
import type { ServeNetworksFlags } from '../controllers/serve.js';

const program = new Command('hil-admin')
  .description('Run and administer HIL, the Hardware Isolation Layer')
  .showHelpAfterError();

const common = (c: Command) =>
  c
    .option('-c, --config <file>', 'hil.cfg to read (default: ./hil.cfg if present)')
    .option('--data-dir <dir>', 'folder for the embedded SQLite store (default: ./data)')
    .option(
      '--database-uri <uri>',
      'postgresql://USER:PASS@HOST/DB or sqlite:///FILE (overrides [database] uri; with a password, prefer $HIL_DATABASE_URI or hil.cfg)',
    );

/** A secret given on the command line is in `ps` output and /proc/PID/cmdline for every user of the host. */
function warnVisible(what: string, instead: string): void {
  console.error(
    `hil-admin: warning: ${what} on the command line is visible to other users of this host (ps, /proc); use ${instead} instead`,
  );
}

/** The contents of a secret file, without the final newline an editor or `echo` adds. */
function readSecretFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

program.hook('preAction', (_program, action) => {
  const opts = action.opts<{ databaseUri?: string; token?: string }>();
  if (opts.databaseUri && /\/\/[^/@]*:[^/@]*@/.test(opts.databaseUri))
    warnVisible('a password in --database-uri', '$HIL_DATABASE_URI or hil.cfg [database] uri');
  if (opts.token) warnVisible('--token', '--token-file or $HIL_TOKEN');
});

common(program.command('serve').description('run the API server'))
  .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:6443)')
  .option('--auth <backend>', 'authentication backend: null | database | keystone')
  .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
  .option('--tls-key <file>', "the certificate's private key (PEM)")
  .option('--watch-timeout <seconds>', 'end watch streams after this long (randomized up to twice that)')
  .option('--max-watches <n>', 'open watches the server holds, all clients together (default 2000); one more is a 429')
  .option('--max-watches-per-user <n>', 'open watches per non-admin user (default 100)')
  .option('--log-level <level>', 'debug | info | warn | error (one line per request at debug)')
  .option('--log-format <format>', 'json | text (default: text on a terminal, JSON otherwise)')
  .option(
    '--controllers',
    'also run the controller daemon in this process, connected to this server (the quick start does)',
  )
  .action(async (flags: ServeFlags & { controllers?: boolean; logFormat?: string }) => {
    setLogFormat(flags.logFormat);
    delete flags.logFormat;
    const cfg = readConfig(flags.config);
    const settings = resolveSettings(flags, cfg);
    const logger = createLogger(settings.logLevel, 'apiserver');
    if (flags.controllers && !settings.vlanPool) {
      settings.vlanPool = parseVlanList(EMBEDDED_VLAN_POOL);
      logger.warn(
        `no VLAN pool configured ([hil.ext.network_allocators.vlan_pool] vlans in hil.cfg); the embedded controllers use ${EMBEDDED_VLAN_POOL}`,
      );
    }
    // The serial console (nodes/NAME/console): one SOL session per node, with hil.cfg's [hil.ext.obm.ipmi] knobs.
    const { ConsoleHub } = await import('../drivers/obm/console-hub.js');
    const { nodeSettings } = await import('../controllers/node/config.js');
    const internalToken = flags.controllers ? newInternalToken() : undefined;
    const consoles = new ConsoleHub(nodeSettings(cfg).obmRegistry!);
    const running = await serve({ ...settings, console: consoles, internalToken }, logger);
    let stopping = false;
    let stopControllers = async () => {};
    const shutdown = (signal: string, code = 0) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      // Controllers first (they write through the server), then the consoles' SOL sessions (freeing the BMCs'
      // single SOL payloads at once), then the server.
      stopControllers()
        .then(() => consoles.close())
        .then(() => running.stop())
        .then(
          () => process.exit(code),
          () => process.exit(1),
        );
    };
    if (flags.controllers) {
      // Loaded only here: the controller stack (client-node) would add ~80 MiB to every API server process.
      const { resolveServeNetworks, serveNetworks } = await import('../controllers/serve.js');
      const { address, port } = running.address;
      const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
      const url = `${settings.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      // Our own listener on loopback: the certificate is ours, and may not name the loopback address.
      const cs = resolveServeNetworks({
        config: flags.config,
        server: url,
        token: internalToken,
        insecureSkipTlsVerify: !!settings.tls,
        logLevel: settings.logLevel,
      });
      cs.pool ??= settings.vlanPool;
      const ac = new AbortController();
      const done = serveNetworks(cs, { signal: ac.signal });
      stopControllers = async () => {
        ac.abort();
        await done;
      };
      // Lost leadership or a failure: the process ends (and is restarted), as a separate daemon's would.
      void done.then(
        (code) => shutdown('controllers stopped', code),
        () => shutdown('controllers failed', 1),
      );
    }
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });

const db = program.command('db').description('manage the database schema');
for (const [name, description] of [
  ['create', 'create the schema in an empty database'],
  ['upgrade', 'apply pending schema migrations'],
] as const) {
  common(db.command(name).description(description)).action(async (flags: ServeFlags) => {
    const settings = resolveSettings(flags, readConfig(flags.config ?? program.opts().config));
    const store = await openConfiguredStore(settings);
    try {
      const pending = await store.pendingMigrations();
      if (name === 'create' && pending.length === 0) {
        console.log(`${describeStore(settings)}: the schema already exists and is up to date`);
        return;
      }
      const { applied } = await store.migrate();
      console.log(`${describeStore(settings)}: ${applied.length ? `applied ${applied.join(', ')}` : 'nothing to do'}`);
    } finally {
      await store.close();
    }
  });
}

async function readStdin(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) data += chunk;
  return data;
}

/** Runs fn on the configured store (migrated), then closes it. */
async function withStore<T>(
  flags: ServeFlags,
  fn: (store: Awaited<ReturnType<typeof openConfiguredStore>>) => Promise<T>,
): Promise<T> {
  const settings = resolveSettings(flags, readConfig(flags.config));
  const store = await openConfiguredStore(settings);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

common(program.command('create-admin-user').description('create an administrator (database auth backend)'))
  .argument('<name>', 'user name')
  .argument(
    '[password]',
    'password (at least 8 characters); visible to other users of the host: prefer --password-stdin, --password-file or $HIL_PASSWORD ("-" also reads standard input)',
  )
  .option('--password-stdin', 'read the password from standard input')
  .option('--password-file <file>', 'read the password from this file')
  .addHelpText(
    'after',
    '\nThe password comes from exactly one of: --password-stdin, --password-file, $HIL_PASSWORD, the argument.',
  )
  .action(
    async (
      name: string,
      positional: string | undefined,
      flags: ServeFlags & { passwordStdin?: boolean; passwordFile?: string },
    ) => {
      const sources = [positional !== undefined, !!flags.passwordStdin, flags.passwordFile !== undefined].filter(
        Boolean,
      ).length;
      if (sources > 1)
        throw new ConfigError('give the password one way: the argument, --password-stdin or --password-file');
      let password: string;
      if (flags.passwordStdin || positional === '-') password = (await readStdin()).replace(/\r?\n$/, '');
      else if (flags.passwordFile !== undefined) password = readSecretFile(flags.passwordFile);
      else if (positional !== undefined) {
        warnVisible('a password', '--password-stdin, --password-file or $HIL_PASSWORD');
        password = positional;
      } else if (process.env.HIL_PASSWORD) password = process.env.HIL_PASSWORD;
      else throw new ConfigError('no password: use --password-stdin, --password-file FILE or $HIL_PASSWORD');
      await withStore(flags, (store) => createAdminUser(store, name, password));
      console.log(`created administrator "${name}"`);
    },
  );

common(
  program
    .command('revoke-tokens')
    .description('revoke every bearer token of a user, e.g. after a leak (database auth backend)'),
)
  .argument('<user>', 'user name')
  .action(async (user: string, flags: ServeFlags) => {
    const n = await withStore(flags, (store) => store.deleteTokens(user));
    console.log(`revoked ${n} token${n === 1 ? '' : 's'} of user "${user}"`);
  });

common(
  program
    .command('create-token')
    .description('print a bearer token for a user, for a kubeconfig (database auth backend)'),
)
  .argument('<user>', 'user name')
  .option('--expiration <seconds>', 'lifetime of the token', '86400')
  .action(async (user: string, flags: ServeFlags & { expiration: string }) => {
    const seconds = Number(flags.expiration);
    if (!Number.isInteger(seconds) || seconds < 60)
      throw new ConfigError('--expiration must be a whole number of seconds, at least 60');
    const { token, expires } = await withStore(flags, (store) => createToken(store, user, seconds));
    console.error(`token for "${user}", valid until ${expires.toISOString()}:`);
    console.log(token);
  });

program
  .command('serve-networks')
  .alias('controllers')
  .description('run the controller daemon (VLAN allocation, switch reconciler, finalizers)')
  .option('-c, --config <file>', 'hil.cfg to read for the VLAN pool (default: ./hil.cfg if present)')
  .option('--kubeconfig <file>', 'kubeconfig to connect with (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
  .option('--context <name>', 'kubeconfig context to use')
  .option('--server <url>', 'API server URL (instead of a kubeconfig)')
  .option(
    '--token <token>',
    'bearer token for --server (visible to other users of the host: prefer --token-file or $HIL_TOKEN)',
  )
  .option('--token-file <file>', 'read the bearer token for --server from this file')
  .option('--certificate-authority <file>', 'CA certificate (PEM) for --server over HTTPS')
  .option('--insecure-skip-tls-verify', 'do not verify the --server certificate')
  .option('--resync <seconds>', 'full resync of every switch (drift correction) this often', '60')
  .option('--no-leader-elect', 'do not use Lease leader election (only one daemon may then run)')
  .option('--lease-duration <seconds>', 'leader lease duration (a standby takes over this long after the leader dies)')
  .option('--metrics-listen <host:port>', 'serve /metrics, /healthz and /readyz here')
  .option('--identity <name>', 'leader election identity (default: host-pid-random)')
  .option('--driver-timeout <seconds>', 'every switch driver call settles within this (default 30)')
  .option('--obm-workers <n>', 'BMCs the node controller drives at once (default 32)')
  .option('--no-release-power-off', 'leave a node released by its project powered as it is (default: power it off)')
  .option('--log-level <level>', 'debug | info | warn | error')
  .option('--log-format <format>', 'json | text (default: text on a terminal, JSON otherwise)')
  .action(async (flags: ServeNetworksFlags & { tokenFile?: string; logFormat?: string }) => {
    setLogFormat(flags.logFormat);
    delete flags.logFormat;
    if (flags.tokenFile !== undefined) {
      if (flags.token) throw new ConfigError('give the token one way: --token or --token-file');
      flags.token = readSecretFile(flags.tokenFile);
    }
    delete flags.tokenFile;
    // Loaded only here: the controller stack (client-node) would add ~80 MiB to every API server process.
    const { resolveServeNetworks, serveNetworks } = await import('../controllers/serve.js');
    process.exit(await serveNetworks(resolveServeNetworks(flags)));
  });

program
  .command('create-bridges')
  .description(
    'create br-vlan<N> on the trunk NIC for every VLAN of the pool, for headnodes (idempotent; never deletes)',
  )
  .option('-c, --config <file>', 'hil.cfg to read ([headnode] trunk_nic, bridge_driver, ovs_bridge; the VLAN pool)')
  .option('--vlans <list>', 'these VLANs instead of the pool, e.g. 100-110,200')
  .action(async (flags: { config?: string; vlans?: string }) => {
    const { createBridges } = await import('../drivers/headnode-bridge/create-bridges.js');
    const { headnodeSection, vlanList, vlanPoolSection } = await import('../config/sections.js');
    const cfg = readConfig(flags.config);
    const vlans =
      flags.vlans !== undefined ? vlanList(flags.vlans, `VLAN list "${flags.vlans}"`) : vlanPoolSection(cfg);
    const results = await createBridges({ vlans, headnode: headnodeSection(cfg) });
    for (const r of results) console.log(`${r.bridge}\tVLAN ${r.vlan}\t${r.outcome}`);
    const made = results.filter((r) => r.outcome === 'created').length;
    console.error(`${made} created, ${results.length - made} already there`);
  });

common(
  program
    .command('import-hil')
    .description(
      'adopt an existing HIL installation: create its projects, users, switches, ports, nodes, networks (same VLANs), attachments and headnodes here',
    ),
)
  .argument(
    '<source>',
    "HIL's database: postgresql://USER@HOST/DB (password from ~/.pgpass or $PGPASSWORD) or a SQLite file",
  )
  .option(
    '--dry-run',
    'print the plan (what would be created, updated, left unchanged, not imported) and write nothing',
  )
  .option(
    '--no-pause',
    "create switches without the hil.io/paused annotation (only once HIL's network daemon is stopped)",
  )
  .action(async (source: string, flags: ServeFlags & { dryRun?: boolean; pause: boolean }) => {
    if (/\/\/[^/@]*:[^/@]*@/.test(source)) warnVisible('a password in SOURCE', '~/.pgpass or $PGPASSWORD');
    const { importHilDatabase, formatReport } = await import('../apiserver/import-hil/run.js');
    const report = await withStore(flags, (store) =>
      importHilDatabase(source, {
        store,
        dryRun: flags.dryRun,
        pauseSwitches: flags.pause,
        onEntry: (e, done, total) => {
          if (e.kind === 'Secret' || e.kind === 'Lease') return;
          if (total >= 200 && (done % 100 === 0 || done === total)) console.error(`import-hil: ${done}/${total}`);
        },
      }),
    );
    console.log(formatReport(report, !!flags.dryRun));
  });

program.parseAsync(process.argv).catch((err) => {
  console.error(`hil-admin: ${err?.message ?? err}`);
  process.exit(1);
});
