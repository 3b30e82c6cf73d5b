// Which server to talk to, as whom, and how to trust it. Two ways to say it, as the two kinds of users expect:
//
// - HIL's way: HIL_ENDPOINT (+ HIL_USERNAME/HIL_PASSWORD, or HIL_TOKEN). When HIL_ENDPOINT is set and no
//   --kubeconfig/--context flag is given, the kubeconfig is not read at all, so a kubeconfig token meant for
//   another cluster is never sent to the HIL endpoint.
// - kubectl's way: the kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) and its current context (--context).
//   HIL_USERNAME/HIL_PASSWORD/HIL_TOKEN still override the context's user.
//
// Flags beat both: --server, --token, --certificate-authority, --insecure-skip-tls-verify.
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';
import { loadKubeconfig, type Cluster, type Context, type LoadedKubeconfig, type User } from './kubeconfig.js';

/** The connection flags every command takes. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  namespace?: string;
  requestTimeout?: string;
  verbose?: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:6443';

export interface Connection {
  /** Base URL, without a trailing slash. */
  server: string;
  /** Where the server address came from, for messages. */
  serverSource: string;
  /** The Authorization header value, if any (computed lazily for kubeconfig auth plugins). */
  authorization(): Promise<string | undefined>;
  /** Who we claim to be, for messages: 'HIL_USERNAME alice', 'token', 'kubeconfig user x', 'anonymous'. */
  authSource: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  impersonateUser?: string;
  /** Namespace for namespaced kinds (Secrets, Events, Leases). */
  namespace: string;
  /** The kubeconfig context in use, if any. */
  contextName?: string;
}

function normalizeServer(s: string): string {
  let v = s.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) v = `https://${v}`; // kubectl's rule: no scheme means https
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new CliError(`the server address "${s}" is not a URL (expected e.g. http://127.0.0.1:6443)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new CliError(`the server address "${s}" must start with http:// or https://`);
  return v.replace(/\/+$/, '');
}

function readFileFlag(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err: any) {
    throw new CliError(
      `cannot read the ${what} ${file}: ${err?.code === 'ENOENT' ? 'no such file' : (err?.message ?? err)}`,
    );
  }
}

function fromFileOrData(
  file: string | undefined | null,
  data: string | undefined | null,
  what: string,
): Buffer | undefined {
  if (file) return readFileFlag(file, what);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Credentials from flags and HIL's variables, which win over the kubeconfig user. */
function explicitAuth(opts: GlobalOptions, env: NodeJS.ProcessEnv): { header: string; source: string } | undefined {
  if (opts.token) return { header: `Bearer ${opts.token}`, source: '--token' };
  if (env.HIL_TOKEN) return { header: `Bearer ${env.HIL_TOKEN}`, source: 'HIL_TOKEN' };
  if (env.HIL_USERNAME || env.HIL_PASSWORD) {
    if (!env.HIL_USERNAME) throw new CliError('HIL_PASSWORD is set but HIL_USERNAME is not; set both (or HIL_TOKEN)');
    if (env.HIL_PASSWORD === undefined)
      throw new CliError('HIL_USERNAME is set but HIL_PASSWORD is not; set both (or HIL_TOKEN)');
    return { header: basic(env.HIL_USERNAME, env.HIL_PASSWORD), source: `HIL_USERNAME ${env.HIL_USERNAME}` };
  }
  return undefined;
}

/** An Authorization header from a kubeconfig user that uses an exec or auth-provider plugin (loads client-node). */
async function pluginAuthorization(
  cluster: Cluster | undefined,
  user: User,
  ctx: Context,
): Promise<string | undefined> {
  // Loaded only here: the whole client library takes most of a second to import (and to type-check).
  const clientNode: string = '@kubernetes/client-node';
  const { KubeConfig } = await import(clientNode);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: cluster ? [cluster] : [], users: [user], contexts: [ctx], currentContext: ctx.name });
  const opts: { headers?: Record<string, string> } = {};
  try {
    await kc.applyToHTTPSOptions(opts as any);
  } catch {
    // client-node refuses to build an agent for plain http; the header is set before that.
  }
  return opts.headers?.Authorization;
}

/** Resolves flags, HIL's variables and the kubeconfig into one connection. */
export function resolveConnection(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const hilMode = !!env.HIL_ENDPOINT && !opts.kubeconfig && !opts.context;
  const auth = explicitAuth(opts, env);
  const tlsFromFlags = {
    ca: opts.certificateAuthority ? readFileFlag(opts.certificateAuthority, 'certificate authority file') : undefined,
    insecure: !!opts.insecureSkipTlsVerify,
  };
  if (tlsFromFlags.ca && tlsFromFlags.insecure) {
    throw new CliError(
      '--certificate-authority and --insecure-skip-tls-verify exclude each other: either verify the server with a CA or do not verify it',
    );
  }
  if (hilMode) {
    const server = normalizeServer(opts.server ?? env.HIL_ENDPOINT!);
    return {
      server,
      serverSource: opts.server ? '--server' : 'HIL_ENDPOINT',
      authorization: async () => auth?.header,
      authSource: auth?.source ?? 'anonymous',
      ca: tlsFromFlags.ca,
      insecureSkipTlsVerify: tlsFromFlags.insecure,
      namespace: opts.namespace ?? 'default',
    };
  }

  const kc: LoadedKubeconfig = loadKubeconfig(opts.kubeconfig, env);
  const contextName = opts.context ?? kc.currentContext;
  let ctx: Context | undefined;
  let cluster: Cluster | undefined;
  let user: User | undefined;
  if (contextName) {
    ctx = kc.contexts.find((c) => c.name === contextName);
    if (!ctx) {
      const where = kc.files.length ? kc.files.join(', ') : 'no kubeconfig file found';
      throw new CliError(`context "${contextName}" does not exist (kubeconfig: ${where})`);
    }
    cluster = kc.clusters.find((c) => c.name === ctx!.cluster);
    if (!cluster && !opts.server)
      throw new CliError(
        `context "${contextName}" refers to cluster "${ctx.cluster}", which the kubeconfig does not define`,
      );
    user = kc.users.find((u) => u.name === ctx!.user);
  }
  const server = normalizeServer(opts.server ?? cluster?.server ?? DEFAULT_SERVER);
  const serverSource = opts.server
    ? '--server'
    : cluster
      ? `kubeconfig context "${contextName}"`
      : 'the default address';

  let authorization: () => Promise<string | undefined> = async () => undefined;
  let authSource = 'anonymous';
  if (auth) {
    authorization = async () => auth.header;
    authSource = auth.source;
  } else if (user) {
    authSource = `kubeconfig user "${user.name}"`;
    if (user.token) {
      const h = `Bearer ${user.token}`;
      authorization = async () => h;
    } else if (user.username) {
      const h = basic(user.username, user.password ?? '');
      authorization = async () => h;
    } else if (user.exec || user.authProvider) {
      let cached: Promise<string | undefined> | undefined;
      const c = cluster;
      const u = user;
      const x = ctx!;
      authorization = () => (cached ??= pluginAuthorization(c, u, x));
    }
  }
  return {
    server,
    serverSource,
    authorization,
    authSource,
    ca:
      tlsFromFlags.ca ??
      (tlsFromFlags.insecure
        ? undefined
        : fromFileOrData(cluster?.caFile, cluster?.caData, 'certificate authority file')),
    cert: user ? fromFileOrData(user.certFile, user.certData, 'client certificate') : undefined,
    key: user ? fromFileOrData(user.keyFile, user.keyData, 'client key') : undefined,
    insecureSkipTlsVerify: tlsFromFlags.insecure || (!tlsFromFlags.ca && !!cluster?.skipTLSVerify),
    tlsServerName: cluster?.tlsServerName,
    impersonateUser: user?.impersonateUser ?? undefined,
    namespace: opts.namespace ?? ctx?.namespace ?? 'default',
    contextName: ctx?.name,
  };
}
