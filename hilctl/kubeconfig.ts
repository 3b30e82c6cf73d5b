// kubeconfig files: which ones count (--kubeconfig, KUBECONFIG, ~/.kube/config), merged as kubectl merges them
// (the first file to define a name wins), and written back by `hilctl login` (mode 0600, other entries kept).
// Entries are parsed by @kubernetes/client-node's own kubeconfig parser (config_types), without importing the
// whole client library, which would add almost a second to every command.
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type Context,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { CliError } from './errors.js';

export type { Cluster, Context, User };

export interface LoadedKubeconfig {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
  /** The files that were read, in order. */
  files: string[];
}

/** The kubeconfig files that apply: --kubeconfig, else every file in KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): { files: string[]; explicit: boolean } {
  if (flag) return { files: [resolve(flag)], explicit: true };
  if (env.KUBECONFIG)
    return {
      files: env.KUBECONFIG.split(delimiter)
        .filter(Boolean)
        .map((f) => resolve(f)),
      explicit: false,
    };
  return { files: [join(env.HOME || homedir(), '.kube', 'config')], explicit: false };
}

/** Where `hilctl login` writes: --kubeconfig, else the first KUBECONFIG file, else ~/.kube/config. */
export function kubeconfigWriteTarget(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const { files } = kubeconfigFiles(flag, env);
  const f = files[0];
  if (f === '/dev/null')
    throw new CliError('KUBECONFIG is /dev/null: pass --kubeconfig FILE to say where to store the login');
  return f;
}

function absolutize(dir: string, p: string | undefined): string | undefined {
  if (!p || isAbsolute(p)) return p;
  return join(dir, p);
}

function parseFile(file: string): { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext?: string } {
  let doc: any;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (err: any) {
    throw new CliError(`cannot read kubeconfig ${file}: ${String(err?.message ?? err).split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return { clusters: [], users: [], contexts: [] };
  if (typeof doc !== 'object') throw new CliError(`kubeconfig ${file} is not a kubeconfig (expected a mapping)`);
  const dir = dirname(file);
  try {
    // Relative certificate paths are relative to the kubeconfig file, as for kubectl.
    const clusters = newClusters(doc.clusters).map((c) => ({ ...c, caFile: absolutize(dir, c.caFile) }));
    const rawUsers = Array.isArray(doc.users) ? doc.users : [];
    for (const u of rawUsers) {
      if (u?.user?.['token-file']) u.user['token-file'] = absolutize(dir, u.user['token-file']);
    }
    const users = newUsers(rawUsers).map((u) => ({
      ...u,
      token: typeof u.token === 'string' ? u.token.trim() : u.token,
      certFile: absolutize(dir, u.certFile ?? undefined),
      keyFile: absolutize(dir, u.keyFile ?? undefined),
    }));
    const contexts = newContexts(doc.contexts);
    return { clusters, users, contexts, currentContext: doc['current-context'] || undefined };
  } catch (err: any) {
    throw new CliError(`kubeconfig ${file} is not valid: ${err?.message ?? err}`);
  }
}

/** Reads and merges the kubeconfig files (missing ones are skipped, unless named by --kubeconfig). */
export function loadKubeconfig(flag: string | undefined, env: NodeJS.ProcessEnv): LoadedKubeconfig {
  const { files, explicit } = kubeconfigFiles(flag, env);
  const out: LoadedKubeconfig = { clusters: [], users: [], contexts: [], files: [] };
  for (const file of files) {
    if (!existsSync(file)) {
      if (explicit) throw new CliError(`the kubeconfig file ${file} does not exist`);
      continue;
    }
    const part = parseFile(file);
    out.files.push(file);
    const add = <T extends { name: string }>(into: T[], items: T[]) => {
      for (const i of items) if (!into.some((x) => x.name === i.name)) into.push(i);
    };
    add(out.clusters, part.clusters);
    add(out.users, part.users);
    add(out.contexts, part.contexts);
    out.currentContext ??= part.currentContext;
  }
  return out;
}

export interface LoginEntry {
  contextName: string;
  clusterName: string;
  userName: string;
  server: string;
  token: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** Keep the existing cluster entry of that name as it is (its CA data, …). */
  keepCluster?: boolean;
}

/**
 * Adds or replaces one cluster, user and context in a kubeconfig file (creating it), makes the context current,
 * and keeps everything else in the file as it was. The file ends up mode 0600: it holds a token.
 */
export function writeLogin(target: string, e: LoginEntry): void {
  // A symlinked kubeconfig is updated where it really lives.
  const file = existsSync(target) ? realpathSync(target) : target;
  let doc: any = {};
  if (existsSync(file)) {
    try {
      doc = yaml.load(readFileSync(file, 'utf8')) ?? {};
    } catch (err: any) {
      throw new CliError(`cannot update kubeconfig ${file}: ${String(err?.message ?? err).split('\n')[0]}`);
    }
    if (typeof doc !== 'object' || Array.isArray(doc))
      throw new CliError(`cannot update kubeconfig ${file}: it is not a kubeconfig`);
  }
  doc.apiVersion ??= 'v1';
  doc.kind ??= 'Config';
  doc.preferences ??= {};
  const upsert = (key: string, entry: Record<string, unknown>) => {
    const list: any[] = Array.isArray(doc[key]) ? doc[key] : [];
    const i = list.findIndex((x) => x?.name === entry.name);
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    doc[key] = list;
  };
  const cluster: Record<string, unknown> = { server: e.server };
  if (e.certificateAuthority) cluster['certificate-authority'] = resolve(e.certificateAuthority);
  if (e.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  if (e.tlsServerName) cluster['tls-server-name'] = e.tlsServerName;
  const exists = Array.isArray(doc.clusters) && doc.clusters.some((c: any) => c?.name === e.clusterName);
  if (!(e.keepCluster && exists)) upsert('clusters', { name: e.clusterName, cluster });
  upsert('users', { name: e.userName, user: { token: e.token } });
  upsert('contexts', { name: e.contextName, context: { cluster: e.clusterName, user: e.userName } });
  doc['current-context'] = e.contextName;
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Write beside and rename, so a crash never leaves half a kubeconfig, and the token is never world-readable.
  const tmp = join(dir, `.${process.pid}.hilctl-kubeconfig.tmp`);
  writeFileSync(tmp, yaml.dump(doc, { lineWidth: -1, noRefs: true }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
