// `hilctl login`: trade a username and password (HTTP Basic, the database auth backend) for a bearer token, and
// keep the token in a kubeconfig context, so hilctl, kubectl and client libraries all use it afterwards.
//
// The server side: POST /apis/hil.io/v1alpha1/users/NAME/token with an authentication.k8s.io/v1 TokenRequest
// ({"spec": {"expirationSeconds": N}}), answered with {"status": {"token", "expirationTimestamp"}}.
// `hilctl user set-password NAME` sets a password through the users/NAME/password subresource.
import { existsSync } from 'node:fs';
import { ApiClient } from './client.js';
import { resolveConnection } from './connection.js';
import { parseDuration } from './duration.js';
import { CliError, StatusError } from './errors.js';
import { kubeconfigWriteTarget, loadKubeconfig, writeLogin } from './kubeconfig.js';
import { prompt, readPassword } from './prompt.js';
import type { Session } from './session.js';

export interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  expiration?: string;
  contextName?: string;
}

export function tokenPath(user: string): string {
  return `/apis/hil.io/v1alpha1/users/${encodeURIComponent(user)}/token`;
}

export async function runLogin(s: Session, o: LoginOptions): Promise<number> {
  const env = s.io.env;
  // Server and TLS settings as for every other command; the credentials are the ones given here.
  const { HIL_USERNAME: _u, HIL_PASSWORD: _p, HIL_TOKEN: _t, ...rest } = env;
  // --kubeconfig may name the file login is about to create.
  const fresh = !!s.opts.kubeconfig && !existsSync(s.opts.kubeconfig);
  const conn = resolveConnection(
    { ...s.opts, token: undefined, kubeconfig: fresh ? undefined : s.opts.kubeconfig },
    fresh ? { ...rest, KUBECONFIG: '/dev/null' } : rest,
  );
  const username = o.username ?? env.HIL_USERNAME ?? (await prompt(s, 'Username: ', false));
  if (!username) throw new CliError('a username is needed (--username, HIL_USERNAME, or type it when asked)');
  const password = o.passwordStdin || !env.HIL_PASSWORD ? await readPassword(s, o.passwordStdin) : env.HIL_PASSWORD;
  let seconds: number | undefined = 24 * 3600;
  if (o.expiration !== undefined) {
    try {
      seconds = Math.round(parseDuration(o.expiration, '--expiration') / 1000);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (seconds <= 0) seconds = undefined; // 0: let the server choose
  }
  const basic = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  const client = new ApiClient({ ...conn, authorization: async () => basic });
  client.onWarning = (w) => s.warn(w);
  let res;
  try {
    res = await client.request('POST', tokenPath(username), {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: seconds ? { expirationSeconds: seconds } : {},
      },
    });
  } catch (err) {
    if (err instanceof StatusError && err.httpStatus === 401)
      throw new CliError(`login to ${conn.server} failed: wrong username or password for "${username}"`);
    if (err instanceof StatusError && (err.httpStatus === 404 || err.httpStatus === 405)) {
      throw new CliError(
        `${conn.server} does not offer token login (POST ${tokenPath(username)} answered ${err.httpStatus}); is its auth backend "database"?`,
      );
    }
    throw err;
  } finally {
    client.close();
  }
  const token: unknown = res.body?.status?.token;
  if (typeof token !== 'string' || !token)
    throw new CliError(`the server's answer to the login has no token (status.token)`);
  const expires: string | undefined = res.body?.status?.expirationTimestamp;

  const file = kubeconfigWriteTarget(s.opts.kubeconfig, env);
  const host = new URL(conn.server).host;
  // Keep the cluster entry of the context in use when it points at this server (its CA data stays as it is).
  let clusterName = host;
  let reuse = false;
  try {
    const kc = loadKubeconfig(s.opts.kubeconfig, env);
    const ctx = kc.contexts.find((c) => c.name === (s.opts.context ?? kc.currentContext));
    const cl = ctx && kc.clusters.find((c) => c.name === ctx.cluster);
    if (cl && cl.server === conn.server && !s.opts.certificateAuthority && !s.opts.insecureSkipTlsVerify) {
      clusterName = cl.name;
      reuse = true;
    }
  } catch {
    /* an unreadable kubeconfig is reported by writeLogin */
  }
  const contextName = o.contextName ?? `${username}@${host}`;
  writeLogin(file, {
    contextName,
    clusterName,
    userName: `${username}@${host}`,
    server: conn.server,
    token,
    keepCluster: reuse,
    certificateAuthority: s.opts.certificateAuthority,
    insecureSkipTlsVerify: s.opts.insecureSkipTlsVerify,
  });
  s.out(`Logged in to ${conn.server} as ${username}${expires ? ` (the token is valid until ${expires})` : ''}.`);
  s.out(`Context "${contextName}" in ${file} is now the current context.`);
  const overriding = ['HIL_ENDPOINT', 'HIL_USERNAME', 'HIL_PASSWORD', 'HIL_TOKEN'].filter((v) => env[v]);
  if (overriding.length)
    s.warn(
      `${overriding.join(', ')} ${overriding.length > 1 ? 'are' : 'is'} set and take${overriding.length > 1 ? '' : 's'} precedence over the kubeconfig; unset ${overriding.length > 1 ? 'them' : 'it'} to use the new context`,
    );
  return 0;
}

export interface SetPasswordOptions {
  passwordStdin?: boolean;
}

export async function runSetPassword(s: Session, user: string, o: SetPasswordOptions): Promise<number> {
  let password: string;
  if (o.passwordStdin) password = await readPassword(s, true);
  else {
    password = await readPassword(s, false, `New password for ${user}: `);
    const again = await readPassword(s, false, 'Again: ');
    if (again !== password) throw new CliError('the two passwords differ; nothing was changed');
  }
  if (!password) throw new CliError('the password is empty; nothing was changed');
  const d = await s.discovery();
  const r = d.hil('User');
  try {
    await s.client.request('PUT', `/apis/${r.group}/${r.version}/${r.name}/${encodeURIComponent(user)}/password`, {
      body: { password },
    });
  } catch (err) {
    if (
      err instanceof StatusError &&
      err.httpStatus === 404 &&
      /could not find the requested resource/.test(err.message)
    ) {
      throw new CliError(
        `${s.conn.server} does not offer the users/NAME/password subresource (is its auth backend "database"?)`,
      );
    }
    throw err;
  }
  s.out(`user.hil.io/${user} password set`);
  return 0;
}
