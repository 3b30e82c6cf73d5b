// GET nodes/NAME/console[?follow=true] — the node's serial console (SOL), as text over a chunked HTTP stream, like
// pods/log: without `follow` the output seen so far (in this tenancy) and the end; with `follow` that, then live
// output until the client leaves. Read-only. Admins and members of the node's project only (a free node's console
// is admin-only). One SOL session per node, shared by every reader, started by the first and stopped when the last
// leaves: that is the backend's job (drivers/obm/console-hub.ts, wired in by cmd/hil-admin.ts — the API server
// knows only this interface). BMC credentials are read from the node's Secret here and never leave the process.
import type { Request, Response as ExpressResponse } from 'express';
import { ApiError, errors } from '../errors.js';
import { forbidden } from '../auth/authz.js';
import type { Subresource } from './subresource.js';
import type { UserInfo } from '../auth/user.js';
import type { KObject } from '../object.js';
import type { ResourceType } from '../registry.js';
import type { Store } from '../store/store.js';
import { queryBool } from '../codec/query.js';

export interface ConsoleReader {
  write(chunk: Buffer): void;
  end(err?: Error): void;
}

export interface ConsoleBackend {
  /** Output seen so far for this node and tenancy. */
  recent(node: string, tenancy: string): Buffer;
  /** Adds a reader to the node's (shared) session; returns its detach. Throws when the console cannot start. */
  attach(
    target: {
      node: string;
      tenancy: string;
      type: string;
      bmc: { host: string; port?: number; uri?: string; credentials?: { username: string; password: string } };
    },
    reader: ConsoleReader,
  ): () => void;
}

export async function serveConsole(o: {
  store: Store;
  backend?: ConsoleBackend;
  type: ResourceType;
  name: string;
  user: UserInfo;
  query: Record<string, string | undefined>;
  req: Request;
  res: ExpressResponse;
}): Promise<void> {
  const { store, type: t, name, user, res } = o;
  const stored = await store.get('hil.io/nodes', '', name);
  if (!stored) throw errors.notFound('nodes', 'hil.io', name);
  const node = stored.object as KObject & { spec?: any };
  const project: string = node.spec?.project ?? '';
  if (!user.admin) {
    if (project === '') throw forbidden(user, 'get', t, name, 'the console of a free node is administrator-only');
    if (!user.projects.includes(project))
      throw forbidden(user, 'get', t, name, `the node belongs to project "${project}", which you are not a member of`);
  }
  if (!o.backend)
    throw errors.unavailable('the serial console is not available on this server (no console backend configured)');
  const follow = queryBool(o.query, 'follow');
  const obm = node.spec?.obm ?? {};
  if (obm.enabled === false)
    throw new ApiError(
      409,
      'Conflict',
      `the OBM of node "${name}" is disabled (spec.obm.enabled false; HIL's node_enable_obm turns it on)`,
    );
  let credentials: { username: string; password: string } | undefined;
  const ref = obm.credentialsSecretRef as { name: string; namespace?: string } | undefined;
  if (ref) {
    const ns = ref.namespace ?? 'hil-system';
    const secret = await store.get('core/secrets', ns, ref.name);
    if (!secret) throw errors.unavailable(`the node's BMC credentials Secret ${ns}/${ref.name} does not exist`);
    const data = ((secret.object as any).data ?? {}) as Record<string, string>;
    const dec = (k: string) => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : '');
    credentials = { username: dec('username'), password: dec('password') };
  }
  const tenancy = `${node.metadata.uid ?? ''}/${project}`;
  const head = () => {
    res.status(200);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.flushHeaders();
  };
  if (!follow) {
    head();
    res.end(o.backend.recent(name, tenancy));
    return;
  }
  let detach: (() => void) | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    detach?.();
    if (!res.writableEnded) res.end();
  };
  try {
    detach = o.backend.attach(
      {
        node: name,
        tenancy,
        type: String(obm.type),
        bmc: {
          host: String(obm.host ?? ''),
          ...(obm.port !== undefined ? { port: Number(obm.port) } : {}),
          ...(obm.uri !== undefined ? { uri: String(obm.uri) } : {}),
          ...(credentials ? { credentials } : {}),
        },
      },
      {
        write: (chunk) => {
          if (!done) res.write(chunk);
        },
        end: (err) => {
          if (!done && err && !res.writableEnded) res.write(`\n[console closed: ${err.message}]\n`);
          finish();
        },
      },
    );
  } catch (err) {
    // Nothing started: a clear answer instead of a stream (the node's OBM settings are the problem).
    throw new ApiError(
      503,
      'ServiceUnavailable',
      `the console of node "${name}" cannot start: ${(err as Error).message}`,
    );
  }
  if (done) return;
  head();
  const recent = o.backend.recent(name, tenancy);
  if (recent.length) res.write(recent);
  o.req.on('close', finish);
  res.on('close', finish);
}

/** nodes/NAME/console (GET): the node's serial console, streamed. */
export function consoleSubresource(store: Store, backend: ConsoleBackend | undefined): Subresource {
  return {
    resource: 'hil.io/nodes',
    names: ['console'],
    verb: () => 'get',
    async serve({ method, isWatch, type, name, user, query, req, res }) {
      if (method !== 'GET' || isWatch) throw errors.methodNotAllowed('only GET is supported on nodes/NAME/console');
      await serveConsole({ store, backend, type, name, user, query, req, res });
      return undefined;
    },
  };
}
