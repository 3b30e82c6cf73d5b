// A Keystone v3 token for the CLI, as HIL's client_setup.py gets one with keystoneauth1's v3.Password: OS_AUTH_URL,
// OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME (all four required), OS_USER_DOMAIN_ID and OS_PROJECT_DOMAIN_ID
// (default "default"). The token is sent to HIL as X-Auth-Token.

export interface KeystoneCredentials {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainId: string;
  projectDomainId: string;
}

/** The OS_* credentials from an environment, or undefined unless all four required ones are set. */
export function keystoneFromEnv(env: NodeJS.ProcessEnv): KeystoneCredentials | undefined {
  const { OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME } = env;
  if (OS_AUTH_URL === undefined || OS_USERNAME === undefined || OS_PASSWORD === undefined) return undefined;
  if (OS_PROJECT_NAME === undefined) return undefined;
  return {
    authUrl: OS_AUTH_URL,
    username: OS_USERNAME,
    password: OS_PASSWORD,
    projectName: OS_PROJECT_NAME,
    userDomainId: env.OS_USER_DOMAIN_ID || 'default',
    projectDomainId: env.OS_PROJECT_DOMAIN_ID || 'default',
  };
}

/** Asks Keystone for a project-scoped token (POST /v3/auth/tokens; the token is the X-Subject-Token header). */
export async function keystoneToken(k: KeystoneCredentials): Promise<string> {
  const u = k.authUrl.replace(/\/+$/, '');
  const url = `${/\/v3$/.test(u) ? u : `${u}/v3`}/auth/tokens`;
  let r: Response;
  try {
    r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: k.username, password: k.password, domain: { id: k.userDomainId } } },
          },
          scope: { project: { name: k.projectName, domain: { id: k.projectDomainId } } },
        },
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`cannot reach Keystone at ${url}: ${(err as Error).message}`);
  }
  const token = r.headers.get('x-subject-token');
  if (r.status !== 201 || !token) throw new Error(`Keystone refused the OS_* credentials (HTTP ${r.status})`);
  return token;
}
