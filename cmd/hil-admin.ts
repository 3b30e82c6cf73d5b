#!/usr/bin/env node
// hil-admin: run and administer a HIL installation. Wiring only; the work is in apiserver/.
import { Command } from 'commander';
import { ConfigError } from '../common/hilcfg.js';
import { createLogger } from '../common/logging.js';
import { describeStore, openConfiguredStore, readConfig, resolveSettings, serve, type ServeFlags } from '../apiserver/serve.js';

const program = new Command('hil-admin').description('Run and administer HIL, the Hardware Isolation Layer').showHelpAfterError();

const common = (c: Command) =>
  c
    .option('-c, --config <file>', 'hil.cfg to read (default: ./hil.cfg if present)')
    .option('--data-dir <dir>', 'folder for the embedded SQLite store (default: ./data)')
    .option('--database-uri <uri>', 'postgresql://USER:PASS@HOST/DB or sqlite:///FILE (overrides [database] uri)');

common(program.command('serve').description('run the API server'))
  .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:6443)')
  .option('--auth <backend>', 'authentication backend: null | database | keystone')
  .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
  .option('--tls-key <file>', 'the certificate\'s private key (PEM)')
  .option('--watch-timeout <seconds>', 'end watch streams after this long (randomized up to twice that)')
  .option('--log-level <level>', 'debug | info | warn | error')
  .action(async (flags: ServeFlags) => {
    const settings = resolveSettings(flags, readConfig(flags.config));
    const running = await serve(settings);
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      createLogger(settings.logLevel, 'apiserver').info('shutting down', { signal });
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
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

program.parseAsync(process.argv).catch((err) => {
  if (err instanceof ConfigError) console.error(`hil-admin: ${err.message}`);
  else console.error(`hil-admin: ${err?.message ?? err}`);
  process.exit(1);
});
