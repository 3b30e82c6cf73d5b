// Request bodies: decoded per content type (JSON, YAML for apply, protobuf for kubectl's typed creates) and then
// checked as untrusted data before any handler walks them. Every key of a body is data: a key that JavaScript
// treats as a prototype accessor must never reach an object's prototype, so bodies carrying one are refused here,
// once, rather than trusting every merge, clone and walk further on to get it right.
import yaml from 'js-yaml';
import { ApiError, errors } from '../errors.js';
import { decodeKubernetesProtobuf } from './protobuf.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Deeper than this is no resource anyone writes; refusing it keeps every recursive walk off the stack's end. */
export const MAX_BODY_DEPTH = 100;

/** `__proto__` sets an object's prototype when assigned; no Kubernetes field, label or annotation key is named so. */
const PROTOTYPE_KEYS = new Set(['__proto__']);

export const mediaType = (contentType: string): string => contentType.split(';')[0].trim().toLowerCase();

/**
 * Refuses what no handler should have to guard against: a `__proto__` key anywhere (422 naming the field), an
 * object whose prototype is not a plain object's, and nesting deeper than MAX_BODY_DEPTH (400).
 */
export function checkUntrusted(value: unknown): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_BODY_DEPTH)
      throw errors.badRequest(`the request body nests deeper than ${MAX_BODY_DEPTH} levels (at ${path || '.'})`);
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw forbiddenKey(path ? `${path}.__proto__` : '__proto__');
    for (const k of Object.keys(v)) {
      const at = path ? `${path}.${k}` : k;
      if (PROTOTYPE_KEYS.has(k)) throw forbiddenKey(at);
      stack.push({ v: (v as Record<string, unknown>)[k], path: at, depth: depth + 1 });
    }
  }
}

function forbiddenKey(field: string): ApiError {
  return new ApiError(
    422,
    'Invalid',
    `the request is invalid: ${field}: Forbidden: the key "__proto__" is not allowed`,
    {
      causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: the key "__proto__" is not allowed', field }],
    },
  );
}

/** JSON (whatever the declared type, as kube-apiserver reads its default) or YAML for apply and YAML bodies. */
export function parseBody(raw: Buffer | undefined, contentType: string): unknown {
  const text = raw && raw.length ? raw.toString('utf8') : '';
  if (!text.trim()) throw errors.badRequest('the request body is empty');
  const ct = mediaType(contentType);
  let body: unknown;
  try {
    if (ct === PATCH_TYPES.apply || ct === 'application/yaml' || ct === 'application/x-yaml') {
      body = yaml.load(text, { schema: yaml.JSON_SCHEMA });
    } else body = JSON.parse(text);
  } catch (err: any) {
    if (err instanceof RangeError)
      throw errors.badRequest(`the request body nests deeper than ${MAX_BODY_DEPTH} levels`);
    throw errors.badRequest(
      `the body of the request could not be decoded: ${String(err?.message ?? err).split('\n')[0]}`,
    );
  }
  checkUntrusted(body);
  return body;
}

/**
 * The body of a create, update, delete or subresource call: JSON or YAML, or protobuf for the built-in kinds
 * (kubectl's typed create commands send those).
 */
export function decodeObjectBody(raw: Buffer | undefined, contentType: string, protobufAllowed: boolean): unknown {
  const ct = mediaType(contentType);
  if (ct === 'application/vnd.kubernetes.protobuf' && protobufAllowed) {
    let body: unknown;
    try {
      body = decodeKubernetesProtobuf(raw ?? Buffer.alloc(0));
    } catch (err) {
      throw errors.badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
    }
    checkUntrusted(body);
    return body;
  }
  if (!['application/json', 'application/yaml', 'application/x-yaml', '*/*', ''].includes(ct)) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  }
  return parseBody(raw, ct);
}
