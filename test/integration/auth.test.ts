// Authentication with the database backend, and the Keystone backend against a small Keystone stand-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAdminUser, createToken } from '../../apiserver/admin-tasks.js';
import { tokenHash } from '../../apiserver/auth/secrets.js';
import { KeystoneAuthenticator } from '../../apiserver/auth/keystone.js';
import { inAnHour, startKeystoneStandIn } from '../support/keystone.js';
import { api, startInProcessServer, type InProcessServer } from '../support/server.js';
import { basicAuth as basic } from '../support/objects.js';

const G = '/apis/hil.io/v1alpha1';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const user = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'hil.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec,
});

describe('database authentication', () => {
  let srv: InProcessServer;
  const ADMIN = basic('root', 'root-password');
  before(async () => {
    srv = await startInProcessServer({ auth: 'database' });
    await createAdminUser(srv.store, 'root', 'root-password');
    assert.equal(
      (await api(srv.url, 'POST', `${G}/users`, user('alice', { projects: ['p1'] }), undefined, ADMIN)).status,
      201,
    );
    const pw = await api(srv.url, 'PUT', `${G}/users/alice/password`, { password: 'alice-password' }, undefined, ADMIN);
    assert.equal(pw.status, 200, JSON.stringify(pw.body));
  });
  after(() => srv.stop());

  test('no credentials: 401 Status on the API; health and version stay open', async () => {
    for (const path of ['/api', '/apis', `${G}/nodes`, '/openapi/v3', '/metrics']) {
      const r = await api(srv.url, 'GET', path);
      assert.equal(r.status, 401, path);
      assert.equal(r.body.reason, 'Unauthorized');
    }
    for (const path of ['/healthz', '/readyz', '/livez', '/version'])
      assert.equal((await api(srv.url, 'GET', path)).status, 200, path);
  });

  test('HTTP Basic: right password in, wrong password and unknown user out with the same message', async () => {
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('alice', 'alice-password'))).status,
      200,
    );
    const wrong = await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('alice', 'nope-nope'));
    const unknown = await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('mallory', 'alice-password'));
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.message, unknown.body.message);
  });

  test('tokens: from the token subresource and from hil-admin create-token; wrong, expired and orphaned ones refused', async () => {
    const tr = await api(
      srv.url,
      'POST',
      `${G}/users/alice/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
      undefined,
      basic('alice', 'alice-password'),
    );
    assert.equal(tr.status, 201);
    assert.equal(tr.body.kind, 'TokenRequest');
    const token = tr.body.status.token as string;
    assert.match(token, /^hil_/);
    assert.ok(Date.parse(tr.body.status.expirationTimestamp) > Date.now() + 3500_000);
    assert.equal((await api(srv.url, 'GET', `${G}/users/alice`, undefined, undefined, bearer(token))).status, 200);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, bearer('hil_not-a-real-token'))).status,
      401,
    );
    const cli = await createToken(srv.store, 'root', 600);
    assert.equal((await api(srv.url, 'GET', `${G}/switches`, undefined, undefined, bearer(cli.token))).status, 200);
    // An expired token.
    const alice = (await api(srv.url, 'GET', `${G}/users/alice`, undefined, undefined, ADMIN)).body;
    await srv.store.addToken('alice', alice.metadata.uid, tokenHash('hil_expired-token'), Date.now() - 1000);
    const expired = await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, bearer('hil_expired-token'));
    assert.equal(expired.status, 401);
    assert.match(expired.body.message, /expired/);
    // A user deleted and created again does not inherit the old user's token or password.
    assert.equal((await api(srv.url, 'DELETE', `${G}/users/alice`, undefined, undefined, ADMIN)).status, 200);
    assert.equal(
      (await api(srv.url, 'POST', `${G}/users`, user('alice', { projects: ['p1'] }), undefined, ADMIN)).status,
      201,
    );
    assert.equal((await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, bearer(token))).status, 401);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('alice', 'alice-password'))).status,
      401,
    );
    assert.equal(
      (await api(srv.url, 'PUT', `${G}/users/alice/password`, { password: 'alice-password' }, undefined, ADMIN)).status,
      200,
    );
  });

  test('passwords: set by the user or an admin, never by another user; too short is 422; never shown', async () => {
    await api(srv.url, 'POST', `${G}/users`, user('bob', { projects: ['p2'] }), undefined, ADMIN);
    await api(srv.url, 'PUT', `${G}/users/bob/password`, { password: 'bob-password' }, undefined, ADMIN);
    const own = await api(
      srv.url,
      'PUT',
      `${G}/users/bob/password`,
      { password: 'bob-password-2' },
      undefined,
      basic('bob', 'bob-password'),
    );
    assert.equal(own.status, 200);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('bob', 'bob-password'))).status,
      401,
      'the old password no longer works',
    );
    const other = await api(
      srv.url,
      'PUT',
      `${G}/users/alice/password`,
      { password: 'hijacked-it' },
      undefined,
      basic('bob', 'bob-password-2'),
    );
    assert.equal(other.status, 403);
    assert.match(other.body.message, /only administrators and the user themself/);
    const short = await api(srv.url, 'PUT', `${G}/users/bob/password`, { password: 'short' }, undefined, ADMIN);
    assert.equal(short.status, 422);
    assert.equal(short.body.details.causes[0].field, 'password');
    const missing = await api(
      srv.url,
      'PUT',
      `${G}/users/nobody/password`,
      { password: 'whatever-1' },
      undefined,
      ADMIN,
    );
    assert.equal(missing.status, 404);
    const shown = JSON.stringify((await api(srv.url, 'GET', `${G}/users`, undefined, undefined, ADMIN)).body);
    assert.doesNotMatch(shown, /scrypt|password-2|hunter/);
  });

  test('a member cannot make themself an admin or join a project', async () => {
    const me = (await api(srv.url, 'GET', `${G}/users/bob`, undefined, undefined, basic('bob', 'bob-password-2'))).body;
    const r = await api(
      srv.url,
      'PATCH',
      `${G}/users/bob`,
      { spec: { admin: true } },
      'application/merge-patch+json',
      basic('bob', 'bob-password-2'),
    );
    assert.equal(r.status, 403);
    assert.equal(me.spec.admin, false);
  });

  test('metrics are for administrators', async () => {
    assert.equal(
      (await api(srv.url, 'GET', '/metrics', undefined, undefined, basic('bob', 'bob-password-2'))).status,
      403,
    );
    assert.equal((await api(srv.url, 'GET', '/metrics', undefined, undefined, ADMIN)).status, 200);
  });
});

describe('require_authentication = False', () => {
  let srv: InProcessServer;
  before(async () => {
    srv = await startInProcessServer({ auth: 'database', requireAuthentication: false });
    await createAdminUser(srv.store, 'root', 'root-password');
    const A = basic('root', 'root-password');
    await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'pub' }, spec: { owner: '', public: true } },
      undefined,
      A,
    );
    await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'priv' }, spec: { owner: 'p1' } },
      undefined,
      A,
    );
  });
  after(() => srv.stop());

  test('an anonymous caller has no project: sees public networks only and may not write', async () => {
    const list = await api(srv.url, 'GET', `${G}/networks`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((i: any) => i.metadata.name),
      ['pub'],
    );
    const w = await api(srv.url, 'POST', `${G}/networks`, {
      apiVersion: 'hil.io/v1alpha1',
      kind: 'Network',
      metadata: { name: 'x' },
      spec: { owner: 'p1' },
    });
    assert.equal(w.status, 403);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/nodes`, undefined, undefined, basic('root', 'wrong-password'))).status,
      401,
      'wrong credentials are still refused',
    );
  });
});

/** The part of Keystone v3 the backend uses: password auth for the service, token validation. */
function keystoneStandIn() {
  const member = (name: string, expires_at: string) => ({
    user: { name },
    roles: [{ name: 'member' }],
    project: { id: '3f1a2b' },
    expires_at,
  });
  return startKeystoneStandIn({
    users: { hil: { password: 'service-secret', token: 'svc-token' } },
    tokens: {
      'svc-token': {
        user: { name: 'hil' },
        roles: [{ name: 'service' }],
        project: { id: 'service' },
        expires_at: inAnHour(),
      },
      'member-token': member('carol', inAnHour()),
      'admin-token': {
        user: { name: 'dave' },
        roles: [{ name: 'admin' }, { name: 'member' }],
        project: { id: 'admin' },
        expires_at: inAnHour(),
      },
      'expired-token': member('erin', new Date(Date.now() - 1000).toISOString()),
    },
  });
}

describe('keystone authentication (against a Keystone v3 stand-in)', () => {
  let ks: Awaited<ReturnType<typeof keystoneStandIn>>;
  let srv: InProcessServer;
  before(async () => {
    ks = await keystoneStandIn();
    srv = await startInProcessServer({
      authenticatorOverride: new KeystoneAuthenticator({
        authUrl: ks.url,
        username: 'hil',
        password: 'service-secret',
        projectName: 'service',
      }),
    });
    const admin = { 'x-auth-token': 'admin-token' };
    await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'carols' }, spec: { owner: '3f1a2b' } },
      undefined,
      admin,
    );
    await api(
      srv.url,
      'POST',
      `${G}/networks`,
      { apiVersion: 'hil.io/v1alpha1', kind: 'Network', metadata: { name: 'others' }, spec: { owner: 'ffff' } },
      undefined,
      admin,
    );
  });
  after(async () => {
    await srv.stop();
    await ks.close();
  });

  test("a project member's token: sees their project's networks only, and cannot touch switches", async () => {
    const h = { 'x-auth-token': 'member-token' };
    const list = await api(srv.url, 'GET', `${G}/networks`, undefined, undefined, h);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((i: any) => i.metadata.name),
      ['carols'],
    );
    assert.equal((await api(srv.url, 'GET', `${G}/switches`, undefined, undefined, h)).status, 403);
    // Also as a bearer token, the way a kubeconfig sends it.
    assert.equal(
      (await api(srv.url, 'GET', `${G}/networks/carols`, undefined, undefined, bearer('member-token'))).status,
      200,
    );
  });

  test('the admin role makes an admin', async () => {
    const r = await api(srv.url, 'GET', `${G}/networks`, undefined, undefined, { 'x-auth-token': 'admin-token' });
    assert.equal(r.body.items.length, 2);
    assert.equal(
      (await api(srv.url, 'GET', `${G}/switches`, undefined, undefined, { 'x-auth-token': 'admin-token' })).status,
      200,
    );
  });

  test('an expired or unknown token is 401', async () => {
    for (const t of ['expired-token', 'no-such-token']) {
      const r = await api(srv.url, 'GET', `${G}/networks`, undefined, undefined, { 'x-auth-token': t });
      assert.equal(r.status, 401, t);
    }
  });

  test('validated tokens are cached briefly rather than checked on every request', async () => {
    const before = ks.validations();
    for (let i = 0; i < 5; i++)
      await api(srv.url, 'GET', `${G}/networks`, undefined, undefined, { 'x-auth-token': 'member-token' });
    assert.ok(ks.validations() - before <= 1);
  });
});
