// Building a running API server from hil.cfg and command-line flags (flags win). `hil-admin serve` calls this.
import { join } from 'node:path';
import { reviewHilConfig } from '../config/hilcfg.js';
import {
  ConfigError,
  headnodeSection,
  keystoneSection,
  parseHostPort,
  serverSection,
  vlanPoolSection,
  type HilConfig,
} from '../config/sections.js';
import type { VlanSet } from '../api/v1alpha1/vlans.js';
import { withInternalToken } from './auth/internal.js';
import { createAuthenticator } from './auth/index.js';
import { createLogger, type Logger } from '../common/logging.js';
import { packageRoot } from '../common/paths.js';
import type { ServerLimits } from './limits.js';
import { Registry } from './registry.js';
import { ApiServer } from './server.js';
import type { ConsoleBackend } from './handlers/console.js';
import { openStore, redactUri } from './store/open.js';
import type { SqlStore } from './store/sql-store.js';

export interface ServeFlags {
  config?: string;
  listen?: string;
  dataDir?: string;
  databaseUri?: string;
  auth?: string;
  tlsCert?: string;
  tlsKey?: string;
  watchTimeout?: string;
  maxWatches?: string;
  maxWatchesPerUser?: string;
  logLevel?: string;
  /** The web console's built files (default dist/ui in the package). */
  uiDir?: string;
}

export interface ServeSettings {
  host: string;
  port: number;
  databaseUri?: string;
  dataDir: string;
  auth: 'null' | 'database' | 'keystone';
  requireAuthentication: boolean;
  vlanPool?: VlanSet;
  /** hil.cfg [headnode] base_imgs. */
  headnodeBaseImages?: string[];
  /** Serves nodes/NAME/console (cmd/hil-admin.ts wires in the OBM console hub). */
  console?: ConsoleBackend;
  /** The parsed hil.cfg (backends read their own sections from it). */
  config?: HilConfig;
  tls?: { certFile: string; keyFile: string };
  watchTimeoutMs?: number;
  /** --max-watches / --max-watches-per-user ([server] max_watches, max_watches_per_user); the rest are defaults. */
  limits?: Partial<ServerLimits>;
  logLevel: string;
  /** Accepted as the embedded controllers' credential (`serve --controllers`); made at start, never stored. */
  internalToken?: string;
  /** The web console's built files (default: dist/ui in the package, made by `npm run build`). */
  uiDir?: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:6443';

export { readConfig } from '../config/sections.js';

export function parseListen(value: string): { host: string; port: number } {
  return parseHostPort(value, '--listen', DEFAULT_LISTEN);
}

/** Environment variables between flags and hil.cfg: HIL_LISTEN, HIL_DATA_DIR, HIL_DATABASE_URI, HIL_AUTH, HIL_LOG_LEVEL, HIL_UI_DIR. */
export function flagsFromEnv(env: NodeJS.ProcessEnv = process.env): ServeFlags {
  const out: ServeFlags = {};
  if (env.HIL_LISTEN) out.listen = env.HIL_LISTEN;
  if (env.HIL_DATA_DIR) out.dataDir = env.HIL_DATA_DIR;
  if (env.HIL_DATABASE_URI) out.databaseUri = env.HIL_DATABASE_URI;
  if (env.HIL_AUTH) out.auth = env.HIL_AUTH;
  if (env.HIL_LOG_LEVEL) out.logLevel = env.HIL_LOG_LEVEL;
  if (env.HIL_UI_DIR) out.uiDir = env.HIL_UI_DIR;
  return out;
}

export function resolveSettings(
  cliFlags: ServeFlags,
  cfg: HilConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ServeSettings {
  const flags: ServeFlags = {
    ...flagsFromEnv(env),
    ...Object.fromEntries(Object.entries(cliFlags).filter(([, v]) => v !== undefined)),
  };
  const file = serverSection(cfg);
  const { host, port } = parseListen(flags.listen ?? file.listen ?? DEFAULT_LISTEN);
  const auth = (flags.auth ?? file.authBackend ?? 'null') as ServeSettings['auth'];
  if (!['null', 'database', 'keystone'].includes(auth))
    throw new ConfigError(`--auth must be null, database or keystone, not "${auth}"`);
  const cert = flags.tlsCert ?? file.tlsCert;
  const key = flags.tlsKey ?? file.tlsKey;
  if (!!cert !== !!key) throw new ConfigError('TLS needs both a certificate (--tls-cert) and a key (--tls-key)');
  const watch = flags.watchTimeout ?? file.watchTimeout;
  let watchTimeoutMs: number | undefined;
  if (watch !== undefined) {
    watchTimeoutMs = Number(watch) * 1000;
    if (!Number.isFinite(watchTimeoutMs) || watchTimeoutMs <= 0)
      throw new ConfigError(`watch timeout "${watch}": expected seconds > 0`);
  }
  const limits: Partial<ServerLimits> = {};
  const maxWatches = flags.maxWatches ?? file.maxWatches;
  if (maxWatches !== undefined) limits.maxWatches = positiveInt('--max-watches', maxWatches);
  const perUser = flags.maxWatchesPerUser ?? file.maxWatchesPerUser;
  if (perUser !== undefined) limits.maxWatchesPerUser = positiveInt('--max-watches-per-user', perUser);
  const vlanPool: VlanSet | undefined = vlanPoolSection(cfg);
  if (auth === 'keystone') keystoneSection(cfg); // fail at start, not at the first request
  return {
    host,
    port,
    requireAuthentication: file.requireAuthentication,
    vlanPool,
    headnodeBaseImages: headnodeSection(cfg).baseImages,
    config: cfg,
    databaseUri: flags.databaseUri ?? file.databaseUri ?? undefined,
    dataDir: flags.dataDir ?? file.dataDir ?? 'data',
    auth,
    tls: cert && key ? { certFile: cert, keyFile: key } : undefined,
    watchTimeoutMs,
    limits,
    logLevel: flags.logLevel ?? file.logLevel ?? 'info',
    ...(flags.uiDir ? { uiDir: flags.uiDir } : {}),
  };
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`${flag} "${value}": expected a whole number ≥ 1`);
  return n;
}

export async function openConfiguredStore(settings: Pick<ServeSettings, 'databaseUri' | 'dataDir'>): Promise<SqlStore> {
  return openStore({ uri: settings.databaseUri, dataDir: settings.dataDir });
}

export function describeStore(settings: Pick<ServeSettings, 'databaseUri' | 'dataDir'>): string {
  return settings.databaseUri ? redactUri(settings.databaseUri) : `sqlite ${join(settings.dataDir, 'hil.db')}`;
}

/** Starts the server and returns a function that stops it. */
export async function serve(settings: ServeSettings, logger: Logger = createLogger(settings.logLevel, 'apiserver')) {
  for (const w of settings.config ? reviewHilConfig(settings.config).warnings : []) logger.warn(w);
  if (settings.auth === 'null') {
    logger.warn(
      'authentication is DISABLED (auth backend "null"): every client is an administrator. Use this for development only.',
    );
  }
  const registry = Registry.fromCrdDir(join(packageRoot(), 'crds'));
  const store = await openConfiguredStore(settings);
  try {
    const { applied } = await store.migrate();
    if (applied.length) logger.info('database migrated', { applied });
    const server = new ApiServer({
      store,
      registry,
      logger,
      authenticator: settings.internalToken
        ? withInternalToken(createAuthenticator(settings.auth, store, settings.config), settings.internalToken)
        : createAuthenticator(settings.auth, store, settings.config),
      requireAuthentication: settings.requireAuthentication,
      vlanPool: settings.vlanPool,
      console: settings.console,
      headnodeBaseImages: settings.headnodeBaseImages,
      tls: settings.tls,
      watchTimeoutMs: settings.watchTimeoutMs,
      limits: settings.limits,
      uiDir: settings.uiDir ?? join(packageRoot(), 'dist', 'ui'),
    });
    const addr = await server.start({ host: settings.host, port: settings.port });
    const scheme = settings.tls ? 'https' : 'http';
    logger.info('serving', {
      auth: settings.auth,
      url: `${scheme}://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
      store: describeStore(settings),
    });
    return {
      address: addr,
      server,
      store,
      async stop() {
        await server.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
