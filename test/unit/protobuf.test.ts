// The Kubernetes protobuf decoder (apiserver/protobuf.ts). Real bodies: kubectl's typed `create` commands are run
// against a tiny HTTP server here that answers discovery and records each POST, and what they sent is decoded
// and compared with the exact JSON, and with what the same command prints for `--dry-run=client -o json`.
// Event and Lease have no kubectl create command, so their bodies are built here with a small encoder that
// writes fields the way Go's generated marshallers do (every non-pointer field, zero or not).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../../apiserver/codec/protobuf.js';

// ---------------------------------------------------------------------------------------------------------------
// A minimal protobuf encoder for building bodies by hand.

type Part = Buffer;

function varint(n: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const tag = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const ld = (field: number, payload: Buffer): Buffer => Buffer.concat([tag(field, 2), varint(payload.length), payload]);
const str = (field: number, s: string): Buffer => ld(field, Buffer.from(s, 'utf8'));
const bytes = (field: number, b: Buffer): Buffer => ld(field, b);
const msg = (field: number, ...parts: Part[]): Buffer => ld(field, Buffer.concat(parts));
const int = (field: number, n: bigint | number): Buffer => Buffer.concat([tag(field, 0), varint(n)]);
const bool = (field: number, b: boolean): Buffer => int(field, b ? 1 : 0);
const fixed64 = (field: number): Buffer => Buffer.concat([tag(field, 1), Buffer.alloc(8, 0xaa)]);
const fixed32 = (field: number): Buffer => Buffer.concat([tag(field, 5), Buffer.alloc(4, 0xbb)]);
const mapEntry = (field: number, k: string, v: string | Buffer): Buffer =>
  msg(field, str(1, k), typeof v === 'string' ? str(2, v) : bytes(2, v));
/** metav1.Time / MicroTime; zero → the empty message Go writes for the zero time. */
const time = (field: number, seconds?: number, nanos?: number): Buffer =>
  seconds === undefined ? msg(field) : msg(field, int(1, seconds), ...(nanos ? [int(2, nanos)] : []));

const MAGIC = Buffer.from('k8s\0', 'latin1');
/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}, as Go writes it. */
function envelope(apiVersion: string, kind: string, raw: Buffer, extra: Part[] = [], contentEncoding = ''): Buffer {
  return Buffer.concat([
    MAGIC,
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, raw),
    str(3, contentEncoding),
    str(4, ''),
    ...extra,
  ]);
}

/** ObjectMeta with every string/int field written, as Go does, zero or not. */
function objectMeta(m: { name?: string; namespace?: string; extra?: Part[] }): Buffer {
  return msg(
    1,
    str(1, m.name ?? ''),
    str(2, ''),
    str(3, m.namespace ?? ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    int(7, 0),
    time(8),
    ...(m.extra ?? []),
  );
}

const decodeError = (re: RegExp) => (err: unknown) =>
  err instanceof ProtobufDecodeError && err instanceof Error && re.test(err.message);

// ---------------------------------------------------------------------------------------------------------------
// Real kubectl bodies.

interface Captured {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
  accept: string | undefined;
  body: Buffer;
}

const resource = (name: string, kind: string, namespaced: boolean) => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
});

/** Answers kubectl's discovery; records POSTs and answers them 201 with a JSON echo of kind and name. */
class FakeApiServer {
  readonly posts: Captured[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://localhost');
        const json = (code: number, body: unknown) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const body = Buffer.concat(chunks);
        if (req.method === 'POST') {
          this.posts.push({
            method: req.method,
            path: u.pathname,
            query: u.search,
            contentType: req.headers['content-type'],
            accept: req.headers.accept,
            body,
          });
          // The echo kubectl prints "<kind>/<name> created" from.
          const kind = u.pathname.endsWith('/namespaces') ? 'Namespace' : 'Secret';
          return json(201, { kind, apiVersion: 'v1', metadata: { name: nameFromBody(body) } });
        }
        switch (u.pathname) {
          case '/version':
            return json(200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
          case '/api':
            return json(200, { kind: 'APIVersions', versions: ['v1'] });
          case '/api/v1':
            return json(200, {
              kind: 'APIResourceList',
              groupVersion: 'v1',
              resources: [
                resource('secrets', 'Secret', true),
                resource('namespaces', 'Namespace', false),
                resource('events', 'Event', true),
              ],
            });
          case '/apis':
            return json(200, {
              kind: 'APIGroupList',
              apiVersion: 'v1',
              groups: [
                {
                  name: 'coordination.k8s.io',
                  versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
                  preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
                },
              ],
            });
          case '/apis/coordination.k8s.io/v1':
            return json(200, {
              kind: 'APIResourceList',
              groupVersion: 'coordination.k8s.io/v1',
              resources: [resource('leases', 'Lease', true)],
            });
          default:
            return json(404, {
              kind: 'Status',
              apiVersion: 'v1',
              metadata: {},
              status: 'Failure',
              reason: 'NotFound',
              code: 404,
              message: 'not found',
            });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The object's name for the echo; a body that does not decode still gets a 201 (the tests then fail on it). */
function nameFromBody(body: Buffer): string {
  try {
    const decoded = decodeKubernetesProtobuf(body);
    return String((decoded.metadata as { name?: string } | undefined)?.name ?? 'unknown');
  } catch {
    return 'undecodable'; // the assertions on the decoded body report the failure
  }
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(server: string, cacheDir: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      [`--server=${server}`, `--cache-dir=${cacheDir}`, ...args],
      { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 30_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('kubectl create: real protobuf bodies', { skip: hasKubectl ? false : 'kubectl is not installed' }, () => {
  const api = new FakeApiServer();
  let dir = '';

  before(async () => {
    await api.start();
    dir = mkdtempSync(join(tmpdir(), 'hil-protobuf-test-'));
  });
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `kubectl <args>` against the fake server and returns the one POST it made. */
  async function capture(args: string[]): Promise<Captured> {
    const before = api.posts.length;
    const r = await kubectl(api.url, mkdtempSync(join(dir, 'cache-')), args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    assert.equal(api.posts.length, before + 1, `kubectl ${args.join(' ')} made ${api.posts.length - before} POSTs`);
    return api.posts[api.posts.length - 1];
  }

  /** What kubectl prints for the same command with --dry-run=client -o json, minus `creationTimestamp: null`. */
  async function clientSideJson(args: string[]): Promise<Record<string, unknown>> {
    const r = await kubectl(api.url, mkdtempSync(join(dir, 'cache-')), [...args, '--dry-run=client', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const obj = JSON.parse(r.stdout) as { metadata: Record<string, unknown> };
    assert.equal(obj.metadata.creationTimestamp, null);
    delete obj.metadata.creationTimestamp;
    return obj;
  }

  async function check(args: string[], path: string, want: Record<string, unknown>): Promise<Captured> {
    const post = await capture(args);
    assert.equal(post.path, path);
    assert.equal(post.query, '?fieldManager=kubectl-create&fieldValidation=Strict');
    assert.equal(post.contentType, 'application/vnd.kubernetes.protobuf');
    assert.equal(post.accept, 'application/vnd.kubernetes.protobuf,application/json');
    assert.deepEqual(post.body.subarray(0, 4), MAGIC);
    const got = decodeKubernetesProtobuf(post.body);
    assert.deepStrictEqual(got, want);
    assert.deepStrictEqual(got, await clientSideJson(args));
    return post;
  }

  test('create secret generic, two literals, in a namespace', async () => {
    await check(
      [
        'create',
        'secret',
        'generic',
        's1',
        '-n',
        'ns1',
        '--from-literal=password=hunter2',
        '--from-literal=user=admin',
      ],
      '/api/v1/namespaces/ns1/secrets',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's1', namespace: 'ns1' },
        data: { password: Buffer.from('hunter2').toString('base64'), user: Buffer.from('admin').toString('base64') },
      },
    );
  });

  test('create namespace: empty spec and status are kept, as in JSON', async () => {
    await check(['create', 'namespace', 'team-a'], '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
      spec: {},
      status: {},
    });
  });

  test('create secret generic --type; no -n: the path says default, the body names no namespace', async () => {
    await check(
      [
        'create',
        'secret',
        'generic',
        's2',
        '--type=kubernetes.io/basic-auth',
        '--from-literal=username=u',
        '--from-literal=password=p',
      ],
      '/api/v1/namespaces/default/secrets',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's2' },
        data: { username: 'dQ==', password: 'cA==' },
        type: 'kubernetes.io/basic-auth',
      },
    );
  });

  test('create secret generic --from-file with binary content: bytes survive as base64', async () => {
    const content = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 167 + 13) & 0xff)); // every byte value
    const file = join(dir, 'blob.bin');
    writeFileSync(file, content);
    await check(
      ['create', 'secret', 'generic', 's3', '-n', 'ns1', `--from-file=blob=${file}`],
      '/api/v1/namespaces/ns1/secrets',
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's3', namespace: 'ns1' },
        data: { blob: content.toString('base64') },
      },
    );
  });

  test('create secret docker-registry', async () => {
    const auth = Buffer.from('u:p').toString('base64');
    const cfg = { auths: { 'registry.example': { username: 'u', password: 'p', auth } } };
    const post = await capture([
      'create',
      'secret',
      'docker-registry',
      'd1',
      '-n',
      'ns1',
      '--docker-server=registry.example',
      '--docker-username=u',
      '--docker-password=p',
    ]);
    const got = decodeKubernetesProtobuf(post.body) as { data: Record<string, string> };
    assert.deepStrictEqual(Object.keys(got).sort(), ['apiVersion', 'data', 'kind', 'metadata', 'type']);
    assert.equal((got as unknown as { type: string }).type, 'kubernetes.io/dockerconfigjson');
    assert.deepStrictEqual(JSON.parse(Buffer.from(got.data['.dockerconfigjson'], 'base64').toString('utf8')), cfg);
    assert.deepStrictEqual(
      got,
      await clientSideJson([
        'create',
        'secret',
        'docker-registry',
        'd1',
        '-n',
        'ns1',
        '--docker-server=registry.example',
        '--docker-username=u',
        '--docker-password=p',
      ]),
    );
  });

  test('create secret --save-config: annotations', async () => {
    const post = await capture([
      'create',
      'secret',
      'generic',
      's5',
      '-n',
      'ns1',
      '--from-literal=k=v',
      '--save-config',
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(post.body), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's5',
        namespace: 'ns1',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s5","namespace":"ns1","creationTimestamp":null},"data":{"k":"dg=="}}\n',
        },
      },
      data: { k: 'dg==' },
    });
  });

  test('a truncated real body is refused, wherever it is cut inside the object', async () => {
    const post = await capture(['create', 'namespace', 'team-b']);
    const body = post.body;
    // The envelope: magic(4), typeMeta (tag, len, payload), then raw's tag and length; cut anywhere inside raw.
    const typeMetaEnd = 4 + 2 + body[5];
    assert.equal(body[typeMetaEnd], 0x12); // raw = 2, length-delimited
    const rawStart = typeMetaEnd + 2;
    const rawEnd = rawStart + body[typeMetaEnd + 1];
    for (let cut = typeMetaEnd + 1; cut < rawEnd; cut++) {
      assert.throws(() => decodeKubernetesProtobuf(body.subarray(0, cut)), decodeError(/truncated/), `cut at ${cut}`);
    }
    assert.throws(() => decodeKubernetesProtobuf(body.subarray(0, body.length - 1)), decodeError(/truncated/));
    assert.throws(() => decodeKubernetesProtobuf(body.subarray(0, 5)), decodeError(/truncated/));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-built bodies.

describe('hand-built bodies', () => {
  test('Event with every field (Time drops nanos, MicroTime keeps microseconds)', () => {
    const ref = (field: number, kind: string, name: string) =>
      msg(
        field,
        str(1, kind),
        str(2, 'hil-system'),
        str(3, name),
        str(4, 'uid-' + name),
        str(5, 'hil.example/v1'),
        str(6, '42'),
        str(7, 'spec.power'),
      );
    const raw = Buffer.concat([
      objectMeta({ name: 'n1.17a', namespace: 'hil-system' }),
      ref(2, 'Node', 'n1'),
      str(3, 'PoweredOn'),
      str(4, 'node n1 was powered on'),
      msg(5, str(1, 'node-controller'), str(2, 'host-1')),
      time(6, 1_700_000_000, 999_000_000),
      time(7, 1_700_000_060),
      int(8, 3),
      str(9, 'Normal'),
      time(10, 1_700_000_061, 123_456_789),
      msg(11, int(1, 2), time(2, 1_700_000_062, 5_000)),
      str(12, 'PowerOn'),
      ref(13, 'Project', 'p1'),
      str(14, 'hil.example/node-controller'),
      str(15, 'node-controller-abc'),
    ]);
    const refJson = (kind: string, name: string) => ({
      kind,
      namespace: 'hil-system',
      name,
      uid: 'uid-' + name,
      apiVersion: 'hil.example/v1',
      resourceVersion: '42',
      fieldPath: 'spec.power',
    });
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Event', raw)), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'n1.17a', namespace: 'hil-system' },
      involvedObject: refJson('Node', 'n1'),
      reason: 'PoweredOn',
      message: 'node n1 was powered on',
      source: { component: 'node-controller', host: 'host-1' },
      firstTimestamp: '2023-11-14T22:13:20Z',
      lastTimestamp: '2023-11-14T22:14:20Z',
      count: 3,
      type: 'Normal',
      eventTime: '2023-11-14T22:14:21.123456Z',
      series: { count: 2, lastObservedTime: '2023-11-14T22:14:22.000005Z' },
      action: 'PowerOn',
      related: refJson('Project', 'p1'),
      reportingComponent: 'hil.example/node-controller',
      reportingInstance: 'node-controller-abc',
    });
  });

  test('Event as Go writes a mostly empty one: zero values dropped except the fields JSON always has', () => {
    const raw = Buffer.concat([
      objectMeta({ name: 'e1' }),
      msg(2, str(1, 'Node'), str(2, ''), str(3, 'n1'), str(4, ''), str(5, ''), str(6, ''), str(7, '')),
      str(3, ''),
      str(4, 'hello'),
      msg(5, str(1, ''), str(2, '')),
      time(6),
      time(7),
      int(8, 0),
      str(9, ''),
      time(10),
      str(12, ''),
      str(14, ''),
      str(15, ''),
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Event', raw)), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Node', name: 'n1' },
      message: 'hello',
      source: {},
      reportingComponent: '',
      reportingInstance: '',
    });
  });

  test('Lease as a leader elector writes it', () => {
    const raw = Buffer.concat([
      objectMeta({ name: 'hil-controller', namespace: 'hil-system' }),
      msg(
        2,
        str(1, 'pod-a_1234'),
        int(2, 15),
        time(3, 1_718_000_000, 1_500),
        time(4, 1_718_000_010, 999_999_999),
        int(5, 4),
        str(6, 'OldestEmulationVersion'),
        str(7, 'pod-b'),
      ),
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', raw)), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'hil-controller', namespace: 'hil-system' },
      spec: {
        holderIdentity: 'pod-a_1234',
        leaseDurationSeconds: 15,
        acquireTime: '2024-06-10T06:13:20.000001Z',
        renewTime: '2024-06-10T06:13:30.999999Z',
        leaseTransitions: 4,
        strategy: 'OldestEmulationVersion',
        preferredHolder: 'pod-b',
      },
    });
  });

  test('Lease: pointer fields keep zero values; absent ones stay absent', () => {
    const raw = Buffer.concat([objectMeta({ name: 'l1', namespace: 'ns' }), msg(2, str(1, ''), int(5, 0))]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', raw)), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l1', namespace: 'ns' },
      spec: { holderIdentity: '', leaseTransitions: 0 },
    });
    const noSpec = Buffer.concat([objectMeta({ name: 'l2', namespace: 'ns' })]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('coordination.k8s.io/v1', 'Lease', noSpec)), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l2', namespace: 'ns' },
    });
  });

  test('ObjectMeta: every field, ownerReferences with theirs; Secret stringData and immutable=false', () => {
    const owner = (uid: string, controller?: boolean) =>
      msg(
        13,
        str(1, 'Project'),
        str(3, 'p1'),
        str(4, uid),
        str(5, 'hil.example/v1'),
        ...(controller === undefined ? [] : [bool(6, controller), bool(7, true)]),
      );
    const meta = msg(
      1,
      str(1, ''),
      str(2, 'sec-'),
      str(3, 'hil-system'),
      str(4, ''),
      str(5, '0b7e-uid'),
      str(6, '1234'),
      int(7, 7),
      time(8, 0),
      time(9, 253_402_300_799),
      int(10, 0),
      mapEntry(11, 'tier', 'web'),
      mapEntry(11, 'env', 'prod'),
      mapEntry(12, 'note', ''),
      owner('u1', true),
      owner(''),
      str(14, 'hil.example/cleanup'),
      str(14, 'kubernetes'),
    );
    const raw = Buffer.concat([
      meta,
      bool(5, false),
      mapEntry(2, 'empty', Buffer.alloc(0)),
      mapEntry(4, 'plain', 'text'),
      str(3, 'Opaque'),
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        generateName: 'sec-',
        namespace: 'hil-system',
        uid: '0b7e-uid',
        resourceVersion: '1234',
        generation: 7,
        creationTimestamp: '1970-01-01T00:00:00Z',
        deletionTimestamp: '9999-12-31T23:59:59Z',
        deletionGracePeriodSeconds: 0,
        labels: { tier: 'web', env: 'prod' },
        annotations: { note: '' },
        ownerReferences: [
          {
            kind: 'Project',
            name: 'p1',
            uid: 'u1',
            apiVersion: 'hil.example/v1',
            controller: true,
            blockOwnerDeletion: true,
          },
          { kind: 'Project', name: 'p1', uid: '', apiVersion: 'hil.example/v1' }, // no omitempty on these four
        ],
        finalizers: ['hil.example/cleanup', 'kubernetes'],
      },
      immutable: false,
      data: { empty: '' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
  });

  test('Namespace with spec.finalizers and status.phase', () => {
    const raw = Buffer.concat([
      objectMeta({ name: 'team-c' }),
      msg(2, str(1, 'kubernetes')),
      msg(3, str(1, 'Terminating')),
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw)), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-c' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Terminating' },
    });
  });

  test('unknown fields of every wire type are skipped, in the envelope and in the object', () => {
    const unknowns = [int(99, 12345678901234n), fixed64(98), str(97, 'x'), fixed32(96)];
    const raw = Buffer.concat([
      ...unknowns,
      msg(1, str(1, 'n'), ...unknowns),
      msg(2, ...unknowns, str(1, 'f')),
      ...unknowns,
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Namespace', raw, unknowns)), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n' },
      spec: { finalizers: ['f'] },
    });
  });

  test("a message field seen twice merges; a scalar seen twice: the last wins; Go's zero time is no time", () => {
    const raw = Buffer.concat([
      msg(1, str(1, 'first'), mapEntry(11, 'a', '1')),
      msg(1, str(1, 'second'), mapEntry(11, 'b', '2'), time(9, -62_135_596_800)),
      str(3, 'ignored'),
      str(3, 'Opaque'),
    ]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', raw)), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'second', labels: { a: '1', b: '2' } },
      type: 'Opaque',
    });
  });

  test('negative and 64-bit integers', () => {
    const raw = Buffer.concat([msg(1, str(1, 'e'), int(7, 2n ** 40n)), int(8, -1)]);
    assert.deepStrictEqual(decodeKubernetesProtobuf(envelope('v1', 'Event', raw)), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', generation: 2 ** 40 },
      count: -1,
    });
    assert.equal(varint(-1).length, 10);
  });
});

describe('refusals', () => {
  const ns = envelope('v1', 'Namespace', objectMeta({ name: 'x' }));

  test('the decoder accepts the well-formed body these cases start from', () => {
    assert.deepStrictEqual(decodeKubernetesProtobuf(ns), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
    });
  });

  const cases: [string, Buffer, RegExp][] = [
    ['empty body', Buffer.alloc(0), /magic/],
    ['JSON', Buffer.from('{"apiVersion":"v1","kind":"Namespace"}'), /magic/],
    ['wrong magic', Buffer.concat([Buffer.from('k8s\x01', 'latin1'), ns.subarray(4)]), /magic/],
    ['magic only', MAGIC, /no apiVersion and kind/],
    ['unknown kind', envelope('apps/v1', 'Deployment', objectMeta({ name: 'd' })), /Deployment/],
    [
      'known kind, other group',
      envelope('events.k8s.io/v1', 'Event', objectMeta({ name: 'e' })),
      /events\.k8s\.io\/v1/,
    ],
    [
      'custom kind',
      envelope('hil.example/v1', 'Node', objectMeta({ name: 'n' })),
      /kind Node of hil\.example\/v1 cannot be decoded/,
    ],
    ['content encoding', envelope('v1', 'Namespace', objectMeta({ name: 'x' }), [], 'gzip'), /content encoding "gzip"/],
    ['truncated varint', Buffer.concat([ns, Buffer.from([0x48, 0x80])]), /truncated/],
    ['length past the end', Buffer.concat([ns, Buffer.from([0x2a, 0x05, 0x61])]), /truncated/],
    ['truncated fixed64', Buffer.concat([ns, tag(9, 1), Buffer.alloc(3)]), /truncated/],
    ['truncated fixed32', Buffer.concat([ns, tag(9, 5), Buffer.alloc(3)]), /truncated/],
    [
      'varint over 10 bytes',
      Buffer.concat([ns, Buffer.from([0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]),
      /varint/,
    ],
    ['group wire type', Buffer.concat([ns, tag(9, 3)]), /group/],
    ['invalid wire type', Buffer.concat([ns, tag(9, 7)]), /wire type 7/],
    ['field number 0', Buffer.concat([ns, Buffer.from([0x02, 0x00])]), /field number 0/],
    [
      'known field, wrong wire type',
      envelope('v1', 'Namespace', Buffer.concat([objectMeta({ name: 'x' }), int(2, 1)])),
      /spec .* wire type 0, want 2/,
    ],
    ['metadata.name as a varint', envelope('v1', 'Namespace', msg(1, int(1, 5))), /Namespace\.metadata\.name/],
    ['typeMeta as a varint', Buffer.concat([MAGIC, int(1, 1)]), /runtime\.Unknown field 1/],
    [
      'truncated inside a nested message',
      envelope('v1', 'Secret', Buffer.concat([msg(1, Buffer.from([0x0a, 0x09, 0x61]))])),
      /truncated/,
    ],
    ['generation beyond 2^53', envelope('v1', 'Namespace', msg(1, int(7, 2n ** 60n))), /out of the range/],
    ['year past 9999', envelope('v1', 'Namespace', msg(1, time(8, 253_402_300_800))), /years/],
  ];
  for (const [name, body, re] of cases) {
    test(`${name} → ProtobufDecodeError ${re}`, () => {
      assert.throws(() => decodeKubernetesProtobuf(body), decodeError(re));
    });
  }
});
