// Admission-time validation of an object against its kind: metadata rules, unknown fields (per the request's
// fieldValidation), then the openAPIV3Schema with defaults applied (ajv), as a real API server does for CRDs.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ApiError, errors, type StatusCause } from './errors.js';
import { isPlainObject, type KObject } from './object.js';
import { apiVersionOf, type JSONSchema, type ResourceType } from './registry.js';

const Ajv = (AjvModule as any).default ?? AjvModule;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Fields of ObjectMeta a client may send; anything else in metadata is an unknown field. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export function validateName(name: unknown, asLabel: boolean, field = 'metadata.name'): StatusCause[] {
  if (typeof name !== 'string' || name === '')
    return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field }];
  const max = asLabel ? 63 : 253;
  const re = asLabel ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  const causes: StatusCause[] = [];
  if (name.length > max)
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name.slice(0, 64)}…": must be no more than ${max} characters`,
      field,
    });
  if (!re.test(name)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 ${asLabel ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-'${asLabel ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
      field,
    });
  }
  return causes;
}

function validateQualifiedKey(key: string, field: string): StatusCause[] {
  const parts = key.split('/');
  const bad = (why: string): StatusCause[] => [
    { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: ${why}`, field },
  ];
  if (parts.length > 2)
    return bad("a qualified name must consist of an optional DNS subdomain prefix and '/' and a name");
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return bad('prefix part must be a lowercase RFC 1123 subdomain');
  if (!name || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return bad(
      "name part must consist of alphanumeric characters, '-', '_' or '.', start and end with an alphanumeric character, and be at most 63 characters",
    );
  }
  return [];
}

export function validateMetadata(t: ResourceType, meta: unknown): StatusCause[] {
  if (!isPlainObject(meta)) return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata' }];
  const causes: StatusCause[] = [];
  const m = meta;
  if (m.labels !== undefined) {
    if (!isPlainObject(m.labels))
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: must be a map of strings',
        field: 'metadata.labels',
      });
    else {
      for (const [k, v] of Object.entries(m.labels)) {
        causes.push(...validateQualifiedKey(k, 'metadata.labels'));
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`,
            field: `metadata.labels`,
          });
        }
      }
    }
  }
  if (m.annotations !== undefined) {
    if (!isPlainObject(m.annotations))
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: must be a map of strings',
        field: 'metadata.annotations',
      });
    else {
      let size = 0;
      for (const [k, v] of Object.entries(m.annotations)) {
        causes.push(...validateQualifiedKey(k, 'metadata.annotations'));
        if (typeof v !== 'string')
          causes.push({
            reason: 'FieldValueInvalid',
            message: `Invalid value: annotation ${k} must be a string`,
            field: 'metadata.annotations',
          });
        else size += k.length + v.length;
      }
      if (size > MAX_ANNOTATIONS_BYTES)
        causes.push({
          reason: 'FieldValueTooLong',
          message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
          field: 'metadata.annotations',
        });
    }
  }
  if (m.finalizers !== undefined) {
    if (!Array.isArray(m.finalizers))
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: must be a list of strings',
        field: 'metadata.finalizers',
      });
    else
      m.finalizers.forEach((f, i) => {
        if (typeof f !== 'string')
          causes.push({
            reason: 'FieldValueInvalid',
            message: 'Invalid value: must be a string',
            field: `metadata.finalizers[${i}]`,
          });
        else causes.push(...validateQualifiedKey(f, `metadata.finalizers[${i}]`));
      });
  }
  if (m.generateName !== undefined && typeof m.generateName !== 'string') {
    causes.push({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: must be a string',
      field: 'metadata.generateName',
    });
  }
  if (m.ownerReferences !== undefined && !Array.isArray(m.ownerReferences)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: must be a list',
      field: 'metadata.ownerReferences',
    });
  }
  void t;
  return causes;
}

/** Paths of fields the schema does not know (removed from obj unless Strict, which only reports). */
export function findUnknownFields(
  schema: JSONSchema,
  value: unknown,
  path: string,
  prune: boolean,
  out: string[],
): void {
  if (!schema || (schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties)) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => findUnknownFields(schema.items, v, `${path}[${i}]`, prune, out));
    return;
  }
  if (!isPlainObject(value)) return;
  if (schema.properties) {
    for (const key of Object.keys(value)) {
      const sub = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
      if (sub) findUnknownFields(sub, value[key], path ? `${path}.${key}` : key, prune, out);
      else if (schema['x-kubernetes-preserve-unknown-fields'] === true) continue;
      else if (isPlainObject(schema.additionalProperties))
        findUnknownFields(schema.additionalProperties, value[key], `${path}.${key}`, prune, out);
      else if (schema.additionalProperties === true) continue;
      else {
        out.push(path ? `${path}.${key}` : key);
        if (prune) delete value[key];
      }
    }
  } else if (isPlainObject(schema.additionalProperties)) {
    for (const key of Object.keys(value))
      findUnknownFields(schema.additionalProperties, value[key], `${path}.${key}`, prune, out);
  }
}

/** x-kubernetes-list-type map/set: keys (or items) must be unique, as a real server enforces for CRDs. */
export function findDuplicates(schema: JSONSchema, value: unknown, path: string, out: StatusCause[]): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const type = schema['x-kubernetes-list-type'];
    const keys: string[] | undefined = schema['x-kubernetes-list-map-keys'];
    if (type === 'map' && keys?.length) {
      const seen = new Set<string>();
      value.forEach((item, i) => {
        if (!isPlainObject(item)) return;
        const k = JSON.stringify(keys.map((key) => item[key]));
        if (seen.has(k)) {
          const shown =
            keys.length === 1
              ? JSON.stringify(item[keys[0]])
              : `{${keys.map((key) => `${key}: ${JSON.stringify(item[key])}`).join(', ')}}`;
          out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${shown}`, field: `${path}[${i}]` });
        }
        seen.add(k);
      });
    } else if (type === 'set') {
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const k = JSON.stringify(item);
        if (seen.has(k))
          out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${k}`, field: `${path}[${i}]` });
        seen.add(k);
      });
    }
    if (schema.items) value.forEach((v, i) => findDuplicates(schema.items, v, `${path}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const sub =
      schema.properties?.[k] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub) findDuplicates(sub, v, path ? `${path}.${k}` : k, out);
  }
}

function fieldOf(e: ErrorObject): string {
  // /spec/nics/0/macAddress → spec.nics[0].macAddress
  let f = '';
  for (const seg of e.instancePath.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    f += /^\d+$/.test(s) ? `[${s}]` : f ? `.${s}` : s;
  }
  if (e.keyword === 'required') f += (f ? '.' : '') + (e.params as any).missingProperty;
  return f || '<root>';
}

function causeOf(e: ErrorObject, data: unknown): StatusCause {
  const field = fieldOf(e);
  const value = e.instancePath
    .split('/')
    .slice(1)
    .reduce<any>((v, k) => (v == null ? v : v[k.replace(/~1/g, '/').replace(/~0/g, '~')]), data);
  const shown = JSON.stringify(value);
  const p = e.params as any;
  switch (e.keyword) {
    case 'required':
      return { reason: 'FieldValueRequired', message: 'Required value', field };
    case 'enum':
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${shown}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        field,
      };
    case 'type':
      return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${shown}: must be of type ${p.type}`, field };
    case 'pattern':
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: should match '${p.pattern}'`, field };
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${shown}: should be ${p.comparison} ${p.limit}`,
        field,
      };
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return {
        reason: 'FieldValueTooLong',
        message: `Too long: may have at most ${p.limit} ${e.keyword === 'maxLength' ? 'characters' : 'items'}`,
        field,
      };
    default:
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${e.message}`, field };
  }
}

export class Validator {
  private readonly ajv: any;
  private readonly compiled = new Map<ResourceType, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, validateFormats: true });
    const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
    this.ajv.addFormat('date-time', rfc3339);
    for (const f of [
      'int32',
      'int64',
      'byte',
      'password',
      'date',
      'duration',
      'uri',
      'hostname',
      'ipv4',
      'ipv6',
      'uuid',
      'quantity',
    ]) {
      this.ajv.addFormat(f, true);
    }
  }

  private validatorFor(t: ResourceType): ValidateFunction {
    let v = this.compiled.get(t);
    if (!v) {
      v = this.ajv.compile(t.schema) as ValidateFunction;
      this.compiled.set(t, v);
    }
    return v;
  }

  /**
   * Checks obj (mutating it: defaults, pruned unknown fields) and returns warnings for the Warning header.
   * Throws 400 for a wrong apiVersion/kind or, under Strict, unknown fields; 422 for invalid values.
   */
  validate(t: ResourceType, obj: KObject, fieldValidation: FieldValidation): string[] {
    const apiVersion = apiVersionOf(t);
    if (obj.apiVersion !== apiVersion || obj.kind !== t.kind) {
      throw errors.badRequest(
        `the object's apiVersion/kind (${String(obj.apiVersion)}/${String(obj.kind)}) does not match the endpoint (${apiVersion}/${t.kind})`,
      );
    }
    const name = String(obj.metadata?.name ?? '');
    const warnings: string[] = [];
    const unknown: string[] = [];
    if (isPlainObject(obj.metadata)) {
      for (const k of Object.keys(obj.metadata)) {
        if (!OBJECT_META_FIELDS.has(k)) {
          unknown.push(`metadata.${k}`);
          if (fieldValidation !== 'Strict') delete obj.metadata[k];
        }
      }
    }
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') body[k] = v;
    findUnknownFields(t.schema, body, '', fieldValidation !== 'Strict', unknown);
    if (fieldValidation !== 'Strict')
      for (const k of Object.keys(obj))
        if (!['apiVersion', 'kind', 'metadata'].includes(k) && !Object.hasOwn(body, k)) delete obj[k];
    if (unknown.length) {
      if (fieldValidation === 'Strict') {
        throw new ApiError(
          400,
          'BadRequest',
          `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`,
          {
            name,
            group: t.group,
            kind: t.kind,
            causes: unknown.map((u) => ({ reason: 'FieldValueInvalid', message: `unknown field "${u}"`, field: u })),
          },
        );
      }
      if (fieldValidation === 'Warn') warnings.push(...unknown.map((u) => `unknown field "${u}"`));
    }
    const causes = validateMetadata(t, obj.metadata);
    const validate = this.validatorFor(t);
    if (!validate(obj)) {
      const seen = new Set<string>();
      for (const e of validate.errors ?? []) {
        const c = causeOf(e, obj);
        const key = `${c.field}|${c.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          causes.push(c);
        }
      }
    }
    findDuplicates(t.schema, body, '', causes);
    if (causes.length) throw errors.invalid(t.kind, t.group, name, causes);
    return warnings;
  }
}
