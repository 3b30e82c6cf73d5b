// Kubernetes' protobuf wire format for the built-in kinds, decode only: kubectl's typed commands (`kubectl create
// secret generic`, `kubectl create namespace`) send `Content-Type: application/vnd.kubernetes.protobuf`, not JSON.
//
// A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message
// (k8s.io/apimachinery/pkg/runtime/generated.proto):
//   Unknown  { TypeMeta typeMeta = 1; bytes raw = 2; string contentEncoding = 3; string contentType = 4; }
//   TypeMeta { string apiVersion = 1; string kind = 2; }
// where raw is the object's own message (k8s.io/api core/v1 and coordination/v1 generated.proto; ObjectMeta, Time,
// MicroTime, OwnerReference from k8s.io/apimachinery pkg/apis/meta/v1/generated.proto). The schemas below carry
// those field numbers.
//
// The result is the JSON object the same client would have sent as JSON. Go's generated marshallers write every
// non-pointer field, zero or not, so presence on the wire is not enough: a field whose Go JSON tag has `omitempty`
// and a value (not pointer) type is dropped when it is the zero value (""/0/false), the way encoding/json drops it;
// pointer fields and fields without `omitempty` are kept whenever they are on the wire. Nested messages on the
// wire are kept, empty or not (`"spec": {}`, as Go's JSON has them). A zero Time/MicroTime (an empty message) is
// dropped (Go's JSON says `null`). Time is RFC 3339 to the second (Go's metav1.Time drops the nanos), MicroTime
// RFC 3339 with six fraction digits; both in UTC. Map<string, bytes> values become base64, as in JSON.
// Unknown fields are skipped; groups, a wrong wire type for a known field, truncation, a bad magic, a content
// encoding, or a kind not in KINDS throw ProtobufDecodeError (the server answers 400).

/** Every failure to decode a body; callers turn it into a 400 Bad Request. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(`protobuf: ${message}`);
    this.name = 'ProtobufDecodeError';
  }
}

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

// ---------------------------------------------------------------------------------------------------------------
// The wire reader.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

class Reader {
  pos: number;
  constructor(
    private readonly buf: Buffer,
    start: number,
    readonly end: number,
    private readonly where: string,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private truncated(what: string): never {
    throw new ProtobufDecodeError(`truncated message: ${what} runs past the end of ${this.where}`);
  }

  /** A varint as an unsigned 64-bit BigInt. */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.truncated('a varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) {
        if (i === 9 && b > 1) throw new ProtobufDecodeError(`varint overflows 64 bits in ${this.where}`);
        return result;
      }
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes in ${this.where}`);
  }

  /** A length for a length-delimited field, checked against what is left. */
  private length(): number {
    const n = this.varint();
    if (n > BigInt(this.end - this.pos)) this.truncated(`a length-delimited field of ${n} bytes`);
    return Number(n);
  }

  /** The extent [start, end) of a length-delimited field's payload; the reader moves past it. */
  bytesExtent(): [number, number] {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return [start, start + n];
  }

  bytes(): Buffer {
    const [s, e] = this.bytesExtent();
    return this.buf.subarray(s, e);
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  sub(where: string): Reader {
    const [s, e] = this.bytesExtent();
    return new Reader(this.buf, s, e, where);
  }

  tag(): { field: number; wire: number } {
    const t = this.varint();
    const field = Number(t >> 3n);
    const wire = Number(t & 7n);
    if (field === 0 || t >> 3n > 0x1fffffffn)
      throw new ProtobufDecodeError(`invalid field number ${t >> 3n} in ${this.where}`);
    return { field, wire };
  }

  skip(field: number, wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) this.truncated('a 64-bit field');
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.bytesExtent();
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) this.truncated('a 32-bit field');
        this.pos += 4;
        return;
      case WIRE_START_GROUP:
      case WIRE_END_GROUP:
        throw new ProtobufDecodeError(
          `field ${field} in ${this.where} is a group (wire type ${wire}), which Kubernetes never sends`,
        );
      default:
        throw new ProtobufDecodeError(`field ${field} in ${this.where} has invalid wire type ${wire}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas.

type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'json'; // json: a FieldsV1 message
type FieldType =
  | Scalar
  | 'time' // metav1.Time → RFC 3339, seconds
  | 'microTime' // metav1.MicroTime → RFC 3339, microseconds
  | 'stringMap' // map<string, string>
  | 'bytesMap' // map<string, bytes> → base64 values
  | MessageSchema;

interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Kept even when the zero value: Go pointer fields, and fields whose JSON tag has no omitempty. */
  keepZero?: boolean;
}

interface MessageSchema {
  name: string;
  fields: Record<number, FieldSpec>;
}

const f = (name: string, type: FieldType, opts: Omit<FieldSpec, 'name' | 'type'> = {}): FieldSpec => ({
  name,
  type,
  ...opts,
});

// k8s.io/apimachinery/pkg/apis/meta/v1
const OwnerReference: MessageSchema = {
  name: 'OwnerReference',
  fields: {
    5: f('apiVersion', 'string', { keepZero: true }),
    1: f('kind', 'string', { keepZero: true }),
    3: f('name', 'string', { keepZero: true }),
    4: f('uid', 'string', { keepZero: true }),
    6: f('controller', 'bool', { keepZero: true }),
    7: f('blockOwnerDeletion', 'bool', { keepZero: true }),
  },
};

const ManagedFieldsEntry: MessageSchema = {
  name: 'ManagedFieldsEntry',
  fields: {
    1: f('manager', 'string'),
    2: f('operation', 'string'),
    3: f('apiVersion', 'string'),
    4: f('time', 'time'),
    6: f('fieldsType', 'string'),
    7: f('fieldsV1', 'json'), // FieldsV1 {bytes Raw = 1}: the field set's JSON text; in JSON, that object itself
    8: f('subresource', 'string'),
  },
};

const ObjectMeta: MessageSchema = {
  name: 'ObjectMeta',
  fields: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    4: f('selfLink', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int64'),
    8: f('creationTimestamp', 'time'),
    9: f('deletionTimestamp', 'time'),
    10: f('deletionGracePeriodSeconds', 'int64', { keepZero: true }),
    11: f('labels', 'stringMap'),
    12: f('annotations', 'stringMap'),
    13: f('ownerReferences', OwnerReference, { repeated: true }),
    14: f('finalizers', 'string', { repeated: true }),
    17: f('managedFields', ManagedFieldsEntry, { repeated: true }),
  },
};

// k8s.io/api/core/v1
const Secret: MessageSchema = {
  name: 'Secret',
  fields: {
    1: f('metadata', ObjectMeta),
    5: f('immutable', 'bool', { keepZero: true }),
    2: f('data', 'bytesMap'),
    4: f('stringData', 'stringMap'),
    3: f('type', 'string'),
  },
};

const NamespaceCondition: MessageSchema = {
  name: 'NamespaceCondition',
  fields: {
    1: f('type', 'string', { keepZero: true }),
    2: f('status', 'string', { keepZero: true }),
    4: f('lastTransitionTime', 'time'),
    5: f('reason', 'string'),
    6: f('message', 'string'),
  },
};

const Namespace: MessageSchema = {
  name: 'Namespace',
  fields: {
    1: f('metadata', ObjectMeta),
    2: f('spec', { name: 'NamespaceSpec', fields: { 1: f('finalizers', 'string', { repeated: true }) } }),
    3: f('status', {
      name: 'NamespaceStatus',
      fields: { 1: f('phase', 'string'), 2: f('conditions', NamespaceCondition, { repeated: true }) },
    }),
  },
};

const ObjectReference: MessageSchema = {
  name: 'ObjectReference',
  fields: {
    1: f('kind', 'string'),
    2: f('namespace', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('fieldPath', 'string'),
  },
};

const Event: MessageSchema = {
  name: 'Event',
  fields: {
    1: f('metadata', ObjectMeta),
    2: f('involvedObject', ObjectReference),
    3: f('reason', 'string'),
    4: f('message', 'string'),
    5: f('source', { name: 'EventSource', fields: { 1: f('component', 'string'), 2: f('host', 'string') } }),
    6: f('firstTimestamp', 'time'),
    7: f('lastTimestamp', 'time'),
    8: f('count', 'int32'),
    9: f('type', 'string'),
    10: f('eventTime', 'microTime'),
    11: f('series', { name: 'EventSeries', fields: { 1: f('count', 'int32'), 2: f('lastObservedTime', 'microTime') } }),
    12: f('action', 'string'),
    13: f('related', ObjectReference),
    14: f('reportingComponent', 'string', { keepZero: true }),
    15: f('reportingInstance', 'string', { keepZero: true }),
  },
};

// k8s.io/api/coordination/v1: every LeaseSpec field is a pointer in Go.
const Lease: MessageSchema = {
  name: 'Lease',
  fields: {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      name: 'LeaseSpec',
      fields: {
        1: f('holderIdentity', 'string', { keepZero: true }),
        2: f('leaseDurationSeconds', 'int32', { keepZero: true }),
        3: f('acquireTime', 'microTime'),
        4: f('renewTime', 'microTime'),
        5: f('leaseTransitions', 'int32', { keepZero: true }),
        6: f('strategy', 'string', { keepZero: true }),
        7: f('preferredHolder', 'string', { keepZero: true }),
      },
    }),
  },
};

/** The kinds this decoder knows, by `apiVersion/kind`. */
const KINDS: Record<string, MessageSchema> = {
  'v1/Secret': Secret,
  'v1/Namespace': Namespace,
  'v1/Event': Event,
  'coordination.k8s.io/v1/Lease': Lease,
};

export const PROTOBUF_KINDS: readonly string[] = Object.keys(KINDS);

// ---------------------------------------------------------------------------------------------------------------
// Decoding.

function wireOf(type: FieldType): number {
  return type === 'bool' || type === 'int32' || type === 'int64' ? WIRE_VARINT : WIRE_BYTES;
}

function toInt(v: bigint, bits: 32 | 64, where: string): number {
  const n = BigInt.asIntN(bits, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufDecodeError(`${where} = ${n} is out of the range JSON numbers hold exactly`);
  }
  return Number(n);
}

/** Go's zero time.Time as Unix seconds: a Time carrying it is the zero time, which JSON has as null. */
const GO_ZERO_TIME_UNIX = -62135596800;

/** Time / MicroTime (both `{int64 seconds = 1; int32 nanos = 2}`) → RFC 3339 in UTC, or undefined for zero. */
function decodeTime(r: Reader, micro: boolean, where: string): string | undefined {
  if (r.done) return undefined; // Go marshals the zero time as an empty message
  let seconds = 0;
  let nanos = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_VARINT) seconds = toInt(r.varint(), 64, `${where}.seconds`);
    else if (field === 2 && wire === WIRE_VARINT) nanos = toInt(r.varint(), 32, `${where}.nanos`);
    else if (field === 1 || field === 2)
      throw new ProtobufDecodeError(`${where}: field ${field} has wire type ${wire}, want 0`);
    else r.skip(field, wire);
  }
  if (seconds === GO_ZERO_TIME_UNIX && nanos === 0) return undefined;
  if (nanos < 0 || nanos > 999_999_999) throw new ProtobufDecodeError(`${where}.nanos = ${nanos} is out of range`);
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 0 || year > 9999) {
    throw new ProtobufDecodeError(`${where} (${seconds}s) is outside years 0000-9999`);
  }
  const base = d.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  // metav1.Time keeps whole seconds (its Unmarshal drops nanos); MicroTime truncates to microseconds.
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** One map entry message `{key = 1; value = 2}`; absent key or value is the zero value, as in proto3 maps. */
function decodeMapEntry(r: Reader, bytesValue: boolean, where: string): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if ((field === 1 || field === 2) && wire !== WIRE_BYTES) {
      throw new ProtobufDecodeError(`${where}: map entry field ${field} has wire type ${wire}, want 2`);
    }
    if (field === 1) key = r.string();
    else if (field === 2) value = bytesValue ? r.bytes().toString('base64') : r.string();
    else r.skip(field, wire);
  }
  return [key, value];
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function decodeMessage(
  r: Reader,
  schema: MessageSchema,
  path: string,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  const out = into;
  while (!r.done) {
    const { field, wire } = r.tag();
    const spec = schema.fields[field];
    if (!spec) {
      r.skip(field, wire);
      continue;
    }
    const where = `${path}.${spec.name}`;
    const want = wireOf(spec.type);
    if (wire !== want)
      throw new ProtobufDecodeError(`${where} (${schema.name} field ${field}) has wire type ${wire}, want ${want}`);

    let value: unknown;
    const t = spec.type;
    if (typeof t === 'object') {
      const sub = r.sub(where);
      if (spec.repeated) value = decodeMessage(sub, t, where);
      else {
        // A message field seen twice merges, as protobuf says.
        const prev = out[spec.name];
        value = decodeMessage(sub, t, where, prev && typeof prev === 'object' ? (prev as Record<string, unknown>) : {});
      }
    } else if (t === 'stringMap' || t === 'bytesMap') {
      const [k, v] = decodeMapEntry(r.sub(where), t === 'bytesMap', where);
      const map = (out[spec.name] as Record<string, string> | undefined) ?? {};
      map[k] = v;
      out[spec.name] = map;
      continue;
    } else if (t === 'time' || t === 'microTime') {
      value = decodeTime(r.sub(where), t === 'microTime', where);
      if (value === undefined) {
        delete out[spec.name];
        continue;
      }
    } else if (t === 'string') value = r.string();
    else if (t === 'bytes') value = r.bytes().toString('base64');
    else if (t === 'json') value = decodeFieldsV1(r.sub(where), where);
    else if (t === 'bool') value = r.varint() !== 0n;
    else if (t === 'int32') value = toInt(r.varint(), 32, where);
    else value = toInt(r.varint(), 64, where);

    if (spec.repeated) {
      const list = (out[spec.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[spec.name] = list;
    } else if (!spec.keepZero && isZero(value)) {
      delete out[spec.name]; // last one wins, and the last one is the zero value
    } else {
      out[spec.name] = value;
    }
  }
  return out;
}

/** FieldsV1 `{bytes Raw = 1}`: the JSON text of a field set. */
function decodeFieldsV1(r: Reader, where: string): unknown {
  let raw: Buffer | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) raw = r.bytes();
    else if (field === 1) throw new ProtobufDecodeError(`${where}.Raw has wire type ${wire}, want 2`);
    else r.skip(field, wire);
  }
  if (!raw || raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ProtobufDecodeError(`${where} is not JSON: ${(err as Error).message}`);
  }
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Reader;
  contentEncoding: string;
  contentType: string;
}

function decodeEnvelope(body: Buffer): Envelope {
  const r = new Reader(body, MAGIC.length, body.length, 'runtime.Unknown');
  let apiVersion = '';
  let kind = '';
  let raw = new Reader(body, body.length, body.length, 'the object');
  let contentEncoding = '';
  let contentType = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 4 && wire !== WIRE_BYTES) {
      throw new ProtobufDecodeError(`runtime.Unknown field ${field} has wire type ${wire}, want 2`);
    }
    if (field === 1) {
      const tm = r.sub('runtime.TypeMeta');
      while (!tm.done) {
        const t = tm.tag();
        if ((t.field === 1 || t.field === 2) && t.wire !== WIRE_BYTES) {
          throw new ProtobufDecodeError(`runtime.TypeMeta field ${t.field} has wire type ${t.wire}, want 2`);
        }
        if (t.field === 1) apiVersion = tm.string();
        else if (t.field === 2) kind = tm.string();
        else tm.skip(t.field, t.wire);
      }
    } else if (field === 2) raw = r.sub('the object');
    else if (field === 3) contentEncoding = r.string();
    else if (field === 4) contentType = r.string();
    else r.skip(field, wire);
  }
  return { apiVersion, kind, raw, contentEncoding, contentType };
}

/**
 * Decodes a Kubernetes protobuf request body (`application/vnd.kubernetes.protobuf`: `k8s\0` + runtime.Unknown)
 * of a v1 Secret, v1 Namespace, v1 Event or coordination.k8s.io/v1 Lease into the JSON object the client would
 * have sent as JSON: `{apiVersion, kind, metadata, ...}`. Throws ProtobufDecodeError (an Error) on a bad magic,
 * a truncated or malformed message, a content encoding, or a kind it does not know.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!Buffer.isBuffer(body)) body = Buffer.from(body);
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufDecodeError(`the body does not start with the Kubernetes protobuf magic "k8s\\0"`);
  }
  const env = decodeEnvelope(body);
  if (env.contentEncoding) throw new ProtobufDecodeError(`content encoding "${env.contentEncoding}" is not supported`);
  if (env.contentType && env.contentType.split(';')[0].trim() !== PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufDecodeError(`the object's content type "${env.contentType}" is not ${PROTOBUF_CONTENT_TYPE}`);
  }
  if (!env.kind || !env.apiVersion) throw new ProtobufDecodeError('the body names no apiVersion and kind');
  const schema = KINDS[`${env.apiVersion}/${env.kind}`];
  if (!schema) {
    throw new ProtobufDecodeError(
      `kind ${env.kind} of ${env.apiVersion} cannot be decoded from protobuf (known: ${PROTOBUF_KINDS.join(', ')}); send it as JSON`,
    );
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(env.raw, schema, env.kind) };
}
