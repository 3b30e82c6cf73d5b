// The database backend against password guessing and stolen credentials (issue 12, finding 9): failed logins are
// throttled per address and per user name, unknown users cost as much as known ones, hashes use OWASP's scrypt
// parameters and weaker ones are upgraded, a new password revokes tokens, tokens can be revoked, and refresh()
// tells a long request whether its caller is still who they were.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createAdminUser, createToken } from '../../apiserver/admin-tasks.js';
import { DatabaseAuthenticator } from '../../apiserver/auth/database.js';
import { hashPassword, verifyPassword } from '../../apiserver/auth/secrets.js';
import { ANONYMOUS, type UserInfo } from '../../apiserver/auth/user.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';

const G = '/apis/hil.io/v1alpha1';
const basic = (user: string, pw: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`,
});
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const userObj = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec,
});
const ADMIN = basic('root', 'root-password');

/** GET from a chosen loopback source address (Linux routes all of 127/8 to lo). */
function getFrom(
  url: string,
  path: string,
  localAddress: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
  });
}

async function withUser(
  srv: InProcessServer,
  name: string,
  password: string,
  spec: Record<string, unknown> = { projects: [] },
) {
  assert.equal((await api(srv.url, 'POST', `${G}/users`, userObj(name, spec), undefined, ADMIN)).status, 201);
  assert.equal((await api(srv.url, 'PUT', `${G}/users/${name}/password`, { password }, undefined, ADMIN)).status, 200);
}

/** A database-auth server with the admin root and one user. */
async function serverWith(name: string, password: string, spec?: Record<string, unknown>): Promise<InProcessServer> {
  const srv = await startInProcessServer({ auth: 'database' });
  await createAdminUser(srv.store, 'root', 'root-password');
  await withUser(srv, name, password, spec);
  return srv;
}

async function newToken(srv: InProcessServer, name: string, creds: Record<string, string>): Promise<string> {
  const r = await api(
    srv.url,
    'POST',
    `${G}/users/${name}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    undefined,
    creds,
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.status.token;
}

describe('failed logins are throttled', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await serverWith('alice', 'alice-password');
  });
  after(() => srv.stop());

  test('50 parallel wrong guesses: at most 20 are checked, the rest are 429 with Retry-After; other addresses still log in', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        getFrom(srv.url, `${G}/nodes`, '127.0.0.1', basic('alice', `guess-${i}-guess`)),
      ),
    );
    const unauthorized = answers.filter((a) => a.status === 401).length;
    const throttled = answers.filter((a) => a.status === 429);
    assert.equal(unauthorized + throttled.length, 50, answers.map((a) => a.status).join(' '));
    assert.ok(unauthorized <= 20, `${unauthorized} guesses were checked`);
    assert.ok(throttled.length >= 30);
    for (const t of throttled) {
      assert.equal(t.body.reason, 'TooManyRequests');
      assert.equal(t.body.code, 429);
      const after = Number(t.headers['retry-after']);
      assert.ok(Number.isInteger(after) && after >= 1 && after <= 60, `Retry-After ${t.headers['retry-after']}`);
    }
    // The throttled address is refused even with the right password (or guessing would go on)…
    assert.equal((await getFrom(srv.url, `${G}/nodes`, '127.0.0.1', basic('alice', 'alice-password'))).status, 429);
    // …another address is not, and tokens are not throttled.
    assert.equal((await getFrom(srv.url, `${G}/nodes`, '127.0.0.2', basic('alice', 'alice-password'))).status, 200);
    const { token } = await createToken(srv.store, 'alice', 600);
    assert.equal((await getFrom(srv.url, `${G}/nodes`, '127.0.0.1', bearer(token))).status, 200);
  });

  test('successful logins do not count', async () => {
    for (let i = 0; i < 30; i++)
      assert.equal((await getFrom(srv.url, `${G}/nodes`, '127.0.0.3', basic('alice', 'alice-password'))).status, 200);
  });
});

describe('unknown users', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await serverWith('alice', 'alice-password');
  });
  after(() => srv.stop());

  test('answer no faster than a known user with a wrong password', async () => {
    const time = async (user: string) => {
      const t0 = performance.now();
      assert.equal(
        (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic(user, 'wrong-password'))).status,
        401,
      );
      return performance.now() - t0;
    };
    await time('nobody-warmup');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('alice'));
      unknown.push(await time(`nobody-${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    assert.ok(
      median(unknown) >= 0.5 * median(known),
      `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`,
    );
  });
});

describe('password hashes', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await serverWith('carol', 'carol-password');
  });
  after(() => srv.stop());

  test('by default scrypt with N=2^17, r=8, p=1 (OWASP)', async () => {
    const saved = process.env.HIL_TEST_SCRYPT_N;
    delete process.env.HIL_TEST_SCRYPT_N;
    try {
      const h = await hashPassword('a-password');
      const [, n, r, p] = h.split('$').map(Number);
      assert.ok(n >= 2 ** 17 && r >= 8 && p >= 1, h.split('$').slice(0, 4).join('$'));
      assert.equal(await verifyPassword('a-password', h), true);
      assert.equal(await verifyPassword('b-password', h), false);
    } finally {
      process.env.HIL_TEST_SCRYPT_N = saved;
    }
  });

  test('a weaker hash still verifies and is replaced by a stronger one at the next login', async () => {
    const uid = (await srv.store.get('hil.io/users', '', 'carol'))!.object.metadata.uid!;
    await srv.store.setPassword('carol', uid, await hashPassword('carol-password', { N: 1024, r: 8, p: 1 }));
    const before = (await srv.store.getPassword('carol'))!;
    assert.match(before.secretHash, /^scrypt\$1024\$/);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('carol', 'carol-password'))).status,
      200,
    );
    const after = (await srv.store.getPassword('carol'))!;
    assert.match(after.secretHash, new RegExp(`^scrypt\\$${process.env.HIL_TEST_SCRYPT_N}\\$8\\$1\\$`));
    assert.equal(after.id, before.id, 'the same credential, re-hashed');
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('carol', 'carol-password'))).status,
      200,
    );
    // An upgrade never overwrites a password changed in between.
    assert.equal(await srv.store.upgradePassword('carol', before.secretHash, 'scrypt$x'), false);
    assert.equal((await srv.store.getPassword('carol'))!.secretHash, after.secretHash);
  });
});

describe('token revocation', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await serverWith('dave', 'dave-password');
    await withUser(srv, 'erin', 'erin-password');
  });
  after(() => srv.stop());

  const ok = (creds: Record<string, string>) =>
    api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, creds).then((r) => r.status);

  test('a new password revokes the tokens made before it, and the old password stops working at once', async () => {
    const DAVE = basic('dave', 'dave-password');
    assert.equal(await ok(DAVE), 200); // verified once, now in the authenticator's cache
    const t1 = await newToken(srv, 'dave', DAVE);
    const t2 = await newToken(srv, 'dave', DAVE);
    const erins = await newToken(srv, 'erin', basic('erin', 'erin-password'));
    const r = await api(
      srv.url,
      'PUT',
      `${G}/users/dave/password`,
      { password: 'dave-password-2' },
      undefined,
      bearer(t1),
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'Success');
    assert.equal(await ok(bearer(t1)), 401);
    assert.equal(await ok(bearer(t2)), 401);
    assert.equal(await ok(DAVE), 401);
    assert.equal(await ok(basic('dave', 'dave-password-2')), 200);
    assert.equal(await ok(bearer(erins)), 200, "another user's tokens stay");
  });

  test('DELETE users/NAME/token revokes every token of the user: by the user or an admin, not by another user', async () => {
    const DAVE = basic('dave', 'dave-password-2');
    const t1 = await newToken(srv, 'dave', DAVE);
    const t2 = await newToken(srv, 'dave', DAVE);
    const other = await api(
      srv.url,
      'DELETE',
      `${G}/users/dave/token`,
      undefined,
      undefined,
      basic('erin', 'erin-password'),
    );
    assert.equal(other.status, 403);
    assert.equal(await ok(bearer(t1)), 200);
    const own = await api(srv.url, 'DELETE', `${G}/users/dave/token`, undefined, undefined, bearer(t1));
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.kind, 'Status');
    assert.equal(own.body.status, 'Success');
    assert.match(own.body.message, /2 tokens of user "dave" revoked/);
    assert.equal(await ok(bearer(t1)), 401);
    assert.equal(await ok(bearer(t2)), 401);
    assert.equal(await ok(DAVE), 200, 'the password stays');
    const t3 = await newToken(srv, 'dave', DAVE);
    const byAdmin = await api(srv.url, 'DELETE', `${G}/users/dave/token`, undefined, undefined, ADMIN);
    assert.equal(byAdmin.status, 200);
    assert.equal(await ok(bearer(t3)), 401);
    assert.equal((await api(srv.url, 'DELETE', `${G}/users/nobody/token`, undefined, undefined, ADMIN)).status, 404);
  });
});

describe('DatabaseAuthenticator.refresh', () => {
  let srv: InProcessServer;
  let auth: DatabaseAuthenticator;
  before(async () => {
    srv = await serverWith('frank', 'frank-password', { projects: ['p1'] });
    auth = new DatabaseAuthenticator(srv.store);
  });
  after(() => srv.stop());

  const login = async (headers: Record<string, string>) =>
    (await auth.authenticate(headers, { remoteAddress: '127.0.0.1' }))!;

  test('answers the current projects and admin flag while the user and credential stand', async () => {
    const u = await login(basic('frank', 'frank-password'));
    assert.deepEqual(u.projects, ['p1']);
    const patched = await api(
      srv.url,
      'PATCH',
      `${G}/users/frank`,
      { spec: { projects: ['p2'] } },
      'application/merge-patch+json',
      ADMIN,
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const now = await auth.refresh(u);
    assert.deepEqual(now, { name: 'frank', admin: false, projects: ['p2'] });
    // What refresh answers can be refreshed in turn.
    assert.deepEqual(await auth.refresh(now), now);
  });

  test('a token session ends when the token is revoked', async () => {
    const token = await newToken(srv, 'frank', basic('frank', 'frank-password'));
    const u = await login(bearer(token));
    assert.ok(await auth.refresh(u));
    await srv.store.deleteTokens('frank');
    assert.equal(await auth.refresh(u), undefined);
  });

  test('a token session ends when the token expires', async () => {
    const uid = (await srv.store.get('hil.io/users', '', 'frank'))!.object.metadata.uid!;
    const { tokenHash } = await import('../../apiserver/auth/secrets.js');
    await srv.store.addToken('frank', uid, tokenHash('hil_short-lived'), Date.now() + 300);
    const u = await login(bearer('hil_short-lived'));
    assert.ok(await auth.refresh(u));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await auth.refresh(u), undefined);
  });

  test('a password session survives a re-hash but ends when the password changes', async () => {
    const u = await login(basic('frank', 'frank-password'));
    const cred = (await srv.store.getPassword('frank'))!;
    assert.ok(await srv.store.upgradePassword('frank', cred.secretHash, await hashPassword('frank-password')));
    assert.ok(await auth.refresh(u), 'the same password, hashed anew');
    assert.equal(
      (await api(srv.url, 'PUT', `${G}/users/frank/password`, { password: 'frank-password-2' }, undefined, ADMIN))
        .status,
      200,
    );
    assert.equal(await auth.refresh(u), undefined);
  });

  test('a session ends when the user is deleted, even if a user of that name is created again', async () => {
    const u = await login(basic('frank', 'frank-password-2'));
    assert.equal((await api(srv.url, 'DELETE', `${G}/users/frank`, undefined, undefined, ADMIN)).status, 200);
    assert.equal(await auth.refresh(u), undefined);
    await withUser(srv, 'frank', 'frank-password-2', { projects: ['p1'] });
    assert.equal(await auth.refresh(u), undefined);
  });

  test('the anonymous caller is kept; a UserInfo it did not hand out is not', async () => {
    assert.equal(await auth.refresh(ANONYMOUS), ANONYMOUS);
    const forged: UserInfo = { name: 'root', admin: true, projects: [] };
    assert.equal(await auth.refresh(forged), undefined);
  });
});

describe('an open watch re-checks its caller', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await startInProcessServer({ auth: 'database', watchRevalidateMs: 200 });
    await createAdminUser(srv.store, 'root', 'root-password');
    await withUser(srv, 'carol', 'carol-password');
  });
  after(() => srv.stop());

  /** Opens a watch and resolves with how long it streamed once the server ends it (or 'open' after waitMs). */
  async function watchEnds(
    headers: Record<string, string>,
    act: () => Promise<void>,
    waitMs = 3_000,
  ): Promise<'ended' | 'open'> {
    const ctl = new AbortController();
    const r = await fetch(`${srv.url}${G}/networks?watch=true`, { headers, signal: ctl.signal });
    assert.equal(r.status, 200);
    const reader = r.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended' as const;
    })().catch(() => 'open' as const);
    await act();
    const out = await Promise.race([ended, new Promise<'open'>((res) => setTimeout(() => res('open'), waitMs))]);
    ctl.abort();
    return out;
  }

  test('a revoked token ends the watches it opened; an untouched one streams on', async () => {
    const token = await newToken(srv, 'carol', basic('carol', 'carol-password'));
    assert.equal(await watchEnds(bearer(token), async () => {}, 1_000), 'open', 'nothing changed: it streams');
    const ended = await watchEnds(bearer(token), async () => {
      assert.equal((await api(srv.url, 'DELETE', `${G}/users/carol/token`, undefined, undefined, ADMIN)).status, 200);
    });
    assert.equal(ended, 'ended');
  });

  test('a changed password ends the watches opened with the old one', async () => {
    const ended = await watchEnds(basic('carol', 'carol-password'), async () => {
      assert.equal(
        (await api(srv.url, 'PUT', `${G}/users/carol/password`, { password: 'carol-password-2' }, undefined, ADMIN))
          .status,
        200,
      );
    });
    assert.equal(ended, 'ended');
  });
});
