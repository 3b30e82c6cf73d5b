// hilctl's connection settings and error messages, without a server: which of flags, HIL's variables and the
// kubeconfig win; kubeconfig merging, relative paths and the login write-back; Status errors as kubectl prints
// them; network errors turned into advice.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import yaml from 'js-yaml';
import { parseWarnings } from '../../hilctl/client.js';
import { DEFAULT_SERVER, resolveConnection } from '../../hilctl/connection.js';
import { CliError, connectionErrorFor, formatError, StatusError } from '../../hilctl/errors.js';
import { loadKubeconfig, writeLogin } from '../../hilctl/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'hilctl-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, doc: object): string {
  const f = join(dir, name);
  writeFileSync(f, yaml.dump(doc));
  return f;
}

const cfg = kubeconfig('config', {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'lab', cluster: { server: 'https://lab.example:6443/', 'certificate-authority': 'ca.pem' } },
    { name: 'dev', cluster: { server: 'http://127.0.0.1:6443', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    { name: 'tok', user: { token: 'abc' } },
    { name: 'pw', user: { username: 'alice', password: 'pw' } },
  ],
  contexts: [
    { name: 'lab', context: { cluster: 'lab', user: 'tok', namespace: 'hil-system' } },
    { name: 'dev', context: { cluster: 'dev', user: 'pw' } },
  ],
  'current-context': 'lab',
});
writeFileSync(join(dir, 'ca.pem'), 'not really a CA');

describe('resolveConnection', () => {
  test('kubeconfig: current context, its user, its CA (relative to the file) and namespace', async () => {
    const c = resolveConnection({}, { KUBECONFIG: cfg });
    assert.equal(c.server, 'https://lab.example:6443');
    assert.equal(c.serverSource, 'kubeconfig context "lab"');
    assert.equal(await c.authorization(), 'Bearer abc');
    assert.equal(c.ca?.toString(), 'not really a CA');
    assert.equal(c.namespace, 'hil-system');
    const d = resolveConnection({ context: 'dev' }, { KUBECONFIG: cfg });
    assert.equal(await d.authorization(), `Basic ${Buffer.from('alice:pw').toString('base64')}`);
    assert.equal(d.insecureSkipTlsVerify, true);
    assert.equal(d.namespace, 'default');
  });
  test("HIL's variables: HIL_ENDPOINT means the kubeconfig is not read; HIL_TOKEN beats HIL_USERNAME/PASSWORD; flags beat both", async () => {
    const env = { KUBECONFIG: cfg, HIL_ENDPOINT: 'http://hil:5000/', HIL_USERNAME: 'bob', HIL_PASSWORD: 's3' };
    const c = resolveConnection({}, env);
    assert.equal(c.server, 'http://hil:5000');
    assert.equal(c.serverSource, 'HIL_ENDPOINT');
    assert.equal(await c.authorization(), `Basic ${Buffer.from('bob:s3').toString('base64')}`);
    assert.equal(c.ca, undefined, 'nothing from the kubeconfig');
    assert.equal(await resolveConnection({}, { ...env, HIL_TOKEN: 't' }).authorization(), 'Bearer t');
    assert.equal(await resolveConnection({ token: 'flag' }, { ...env, HIL_TOKEN: 't' }).authorization(), 'Bearer flag');
    assert.equal(resolveConnection({ server: 'http://other:1' }, env).server, 'http://other:1');
    // An explicit --context reads the kubeconfig again; HIL's credentials still win over its user.
    const ctx = resolveConnection({ context: 'lab' }, env);
    assert.equal(ctx.server, 'https://lab.example:6443');
    assert.equal(await ctx.authorization(), `Basic ${Buffer.from('bob:s3').toString('base64')}`);
  });
  test('nothing configured: the default address; no scheme means https; bad settings are explained', () => {
    assert.equal(resolveConnection({}, { HOME: dir }).server, DEFAULT_SERVER);
    assert.equal(resolveConnection({ server: '10.0.0.1:6443' }, { HOME: dir }).server, 'https://10.0.0.1:6443');
    assert.throws(
      () => resolveConnection({}, { HIL_ENDPOINT: 'http://x', HIL_PASSWORD: 'p' }),
      /HIL_PASSWORD is set but HIL_USERNAME is not/,
    );
    assert.throws(() => resolveConnection({ context: 'nope' }, { KUBECONFIG: cfg }), /context "nope" does not exist/);
    assert.throws(() => resolveConnection({ kubeconfig: join(dir, 'absent') }, {}), /does not exist/);
    assert.throws(
      () => resolveConnection({ certificateAuthority: join(dir, 'absent.pem') }, { HIL_ENDPOINT: 'https://x' }),
      /cannot read the certificate authority file .*: no such file/,
    );
  });
});

describe('kubeconfig files', () => {
  test('KUBECONFIG lists several files: missing ones skipped, the first definition of a name wins', () => {
    const other = kubeconfig('other', {
      clusters: [
        { name: 'lab', cluster: { server: 'https://shadowed' } },
        { name: 'x', cluster: { server: 'https://x' } },
      ],
      'current-context': 'x',
    });
    const k = loadKubeconfig(undefined, { KUBECONFIG: [join(dir, 'missing'), cfg, other].join(':') });
    assert.equal(k.clusters.find((c) => c.name === 'lab')!.server, 'https://lab.example:6443');
    assert.ok(k.clusters.some((c) => c.name === 'x'));
    assert.equal(k.currentContext, 'lab');
    assert.deepEqual(k.files, [cfg, other]);
    assert.deepEqual(loadKubeconfig(undefined, { KUBECONFIG: '/dev/null' }).clusters, []);
  });
  test('writeLogin: adds or replaces one cluster/user/context, makes it current, keeps the rest, mode 0600, through symlinks', () => {
    const target = join(dir, 'real-config');
    writeFileSync(target, readFileSync(cfg), { mode: 0o644 });
    const link = join(dir, 'linked-config');
    symlinkSync(target, link);
    const entry = {
      contextName: 'alice@h:1',
      clusterName: 'h:1',
      userName: 'alice@h:1',
      server: 'http://h:1',
      token: 't1',
    };
    writeLogin(link, entry);
    writeLogin(link, { ...entry, token: 't2' });
    const doc = yaml.load(readFileSync(target, 'utf8')) as any;
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.equal(doc['current-context'], 'alice@h:1');
    assert.deepEqual(
      doc.users.filter((u: any) => u.name === 'alice@h:1'),
      [{ name: 'alice@h:1', user: { token: 't2' } }],
    );
    assert.equal(doc.contexts.length, 3);
    assert.equal(
      doc.clusters.find((c: any) => c.name === 'lab').cluster['certificate-authority'],
      'ca.pem',
      'other entries untouched',
    );
    // keepCluster leaves an existing cluster entry (and its CA data) alone.
    writeLogin(target, { ...entry, clusterName: 'lab', server: 'https://elsewhere', keepCluster: true });
    assert.equal(
      (yaml.load(readFileSync(target, 'utf8')) as any).clusters.find((c: any) => c.name === 'lab').cluster.server,
      'https://lab.example:6443/',
    );
  });
});

describe('errors', () => {
  const status = (code: number, body: object) => new StatusError(code, { kind: 'Status', code, ...body }, 'GET /x');
  test('Status errors print as kubectl prints them, one line per field when there are several', () => {
    assert.equal(
      formatError(status(404, { reason: 'NotFound', message: 'nodes.hil.io "x" not found' })),
      'Error from server (NotFound): nodes.hil.io "x" not found',
    );
    const invalid = status(422, {
      reason: 'Invalid',
      message: 'Node.hil.io "n" is invalid: spec.obm.host: Invalid value: "a;b", spec.nics[1]: Duplicate value: "e"',
      details: {
        causes: [
          { field: 'spec.obm.host', message: 'Invalid value: "a;b"' },
          { field: 'spec.nics[1]', message: 'Duplicate value: "e"' },
        ],
      },
    });
    assert.equal(
      formatError(invalid),
      'Error from server (Invalid): Node.hil.io "n" is invalid:\n  - spec.obm.host: Invalid value: "a;b"\n  - spec.nics[1]: Duplicate value: "e"',
    );
    assert.match(
      formatError(status(401, { reason: 'Unauthorized', message: 'Unauthorized' })),
      /^error: You must be logged in to the server \(Unauthorized\)\n {2}hint: .*hilctl login/,
    );
    assert.match(
      formatError(
        status(409, {
          reason: 'Conflict',
          message:
            'Operation cannot be fulfilled on nodes.hil.io "n": the object has been modified; please apply your changes to the latest version and try again',
        }),
      ),
      /hint: someone else changed the object/,
    );
    assert.match(
      formatError(
        status(409, { reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "x": .spec.a' }),
      ),
      /--force-conflicts/,
    );
    assert.equal(formatError(new CliError('bad flag')), 'error: bad flag');
    assert.match(formatError(new Error('boom'), true), /^error: boom\nError: boom\n\s+at /);
  });
  test('network errors become advice', () => {
    const e = (code: string) =>
      connectionErrorFor('https://10.0.0.1:6443', Object.assign(new Error(code), { code })).message;
    assert.match(
      e('ECONNREFUSED'),
      /^The connection to the server 10\.0\.0\.1:6443 was refused - did you specify the right host or port\?/,
    );
    assert.match(
      e('DEPTH_ZERO_SELF_SIGNED_CERT'),
      /x509: certificate signed by unknown authority\n {2}hint: pass the server's CA with --certificate-authority/,
    );
    assert.match(e('ERR_TLS_CERT_ALTNAME_INVALID'), /certificate is not valid for 10\.0\.0\.1:6443/);
    assert.match(e('EPROTO'), /does not speak TLS/);
    assert.match(e('HILCTL_TIMEOUT'), /timed out/);
  });
  test('Warning headers', () => {
    assert.deepEqual(parseWarnings(['299 - "unknown field \\"x\\""', '299 - "a", 299 - "b"']), [
      'unknown field "x"',
      'a',
      'b',
    ]);
  });
});
