// Discovery (/api, /apis, /apis/G, /apis/G/V, /api/v1) and OpenAPI v3 (/openapi/v3, /openapi/v3/apis/G/V):
// what kubectl and client-node read to map kinds to paths and to validate before applying.
import { createHash } from 'node:crypto';
import type { JSONSchema, Registry, ResourceType } from '../registry.js';
import { apiVersionOf, VERBS_ALL } from '../registry.js';

function resourceEntries(types: ResourceType[]) {
  const out: unknown[] = [];
  for (const t of types) {
    out.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS_ALL,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
      storageVersionHash: createHash('sha256')
        .update(`${apiVersionOf(t)}/${t.kind}`)
        .digest('base64')
        .slice(0, 11),
    });
    if (t.statusSubresource) {
      out.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return out;
}

export function apiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
  };
}

export function apiGroupList(registry: Registry) {
  const groups = [];
  for (const [group, versions] of registry.groups()) {
    if (group === '') continue;
    const vs = [...versions.keys()].map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    groups.push({ name: group, versions: vs, preferredVersion: vs[0] });
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: Registry, group: string) {
  const versions = registry.groups().get(group);
  if (!versions || group === '') return undefined;
  const vs = [...versions.keys()].map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiResourceList(registry: Registry, group: string, version: string) {
  const types = registry.groups().get(group)?.get(version);
  if (!types) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: resourceEntries(types),
  };
}

// ---- OpenAPI v3 -----------------------------------------------------------------------------------------

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** `io.hil.v1alpha1.Node`: the reverse-DNS schema names Kubernetes uses. */
function schemaName(t: ResourceType): string {
  const g = t.group ? t.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${g}.${t.version}.${t.kind}`;
}

const OBJECT_META_REF = { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };

function objectMetaSchema(): JSONSchema {
  const str = { type: 'string' };
  return {
    type: 'object',
    description: 'Standard object metadata.',
    properties: {
      name: str,
      generateName: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: { type: 'integer', format: 'int64' },
      creationTimestamp: { type: 'string', format: 'date-time' },
      deletionTimestamp: { type: 'string', format: 'date-time' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      labels: { type: 'object', additionalProperties: str },
      annotations: { type: 'object', additionalProperties: str },
      finalizers: { type: 'array', items: str },
      ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      selfLink: str,
    },
  };
}

function kindSchema(t: ResourceType): JSONSchema {
  const s = structuredClone(t.schema);
  s.properties = {
    apiVersion: {
      type: 'string',
      description: 'APIVersion defines the versioned schema of this representation of an object.',
    },
    kind: {
      type: 'string',
      description: 'Kind is a string value representing the REST resource this object represents.',
    },
    metadata: OBJECT_META_REF,
    ...(s.properties ?? {}),
  };
  s['x-kubernetes-group-version-kind'] = [{ group: t.group, version: t.version, kind: t.kind }];
  return s;
}

export function openApiIndex(registry: Registry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of registry.groups()) {
    for (const version of versions.keys()) {
      const p = gvPath(group, version);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openApiHash(registry, group, version)}` };
    }
  }
  return { paths };
}

const hashes = new WeakMap<Registry, Map<string, string>>();
function openApiHash(registry: Registry, group: string, version: string): string {
  let m = hashes.get(registry);
  if (!m) hashes.set(registry, (m = new Map()));
  const key = `${group}/${version}`;
  let h = m.get(key);
  if (!h) {
    h = createHash('sha512')
      .update(JSON.stringify(openApiDocument(registry, group, version)))
      .digest('hex')
      .slice(0, 64)
      .toUpperCase();
    m.set(key, h);
  }
  return h;
}

export function openApiDocument(registry: Registry, group: string, version: string) {
  const types = registry.groups().get(group)?.get(version);
  if (!types) return undefined;
  const schemas: Record<string, JSONSchema> = { 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMetaSchema() };
  const paths: Record<string, unknown> = {};
  const param = (name: string, description: string) => ({
    name,
    in: 'query',
    description,
    schema: { type: 'string' },
    uniqueItems: true,
  });
  const common = [
    param('dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All'),
    param('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
    param('fieldValidation', 'How to handle unknown fields: Ignore, Warn (default) or Strict.'),
  ];
  for (const t of types) {
    const name = schemaName(t);
    schemas[name] = kindSchema(t);
    const ref = { $ref: `#/components/schemas/${name}` };
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const pathParams = [
      ...(t.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
    ];
    const op = (action: string, extra: Record<string, unknown> = {}) => ({
      operationId: `${action}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: ok,
      ...extra,
    });
    const body = (types: string[]) => ({
      requestBody: { required: true, content: Object.fromEntries(types.map((ct) => [ct, { schema: ref }])) },
    });
    paths[base] = {
      parameters: pathParams,
      get: op('list'),
      post: op('post', { ...body(['application/json', 'application/yaml']), parameters: common }),
    };
    // The patch media types listed here decide what kubectl sends: no strategic merge for custom kinds.
    const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    if (t.strategicMerge) patchTypes.push('application/strategic-merge-patch+json');
    const item = {
      parameters: [...pathParams, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      get: op('get'),
      put: op('put', { ...body(['application/json', 'application/yaml']), parameters: common }),
      patch: op('patch', {
        ...body(patchTypes),
        parameters: [...common, param('force', 'Force is going to "force" Apply requests.')],
      }),
      delete: op('delete'),
    };
    paths[`${base}/{name}`] = item;
    if (t.statusSubresource) paths[`${base}/{name}/status`] = { ...item, delete: undefined };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'HIL', version: `${group || 'core'}/${version}` },
    paths,
    components: { schemas },
  };
}
