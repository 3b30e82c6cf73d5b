// Checks crds/*.yaml (structural CRDs our server and a real cluster both accept), api/v1alpha1/types.ts (generated from
// them, must not drift) and manifests/examples/ (must validate).
//
//   node --import tsx --test test/unit/crds.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import yaml from 'js-yaml';
import {
  CRD_DIR,
  REPO_ROOT,
  TYPES_FILE,
  generateTypes,
  loadCrds,
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from '../../hack/gen-types.js';

// ajv is CommonJS; under NodeNext the default import is the module object, whose .default is the class.
const Ajv = (AjvModule as unknown as { default?: typeof AjvModule.default }).default ?? AjvModule.default;

type Obj = Record<string, unknown>;

const EXAMPLES_DIR = path.join(REPO_ROOT, 'manifests', 'examples');
const KINDS = ['Headnode', 'Network', 'NetworkAttachment', 'Node', 'Port', 'Project', 'Switch', 'User'];
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Short names of built-in Kubernetes resources (kubectl api-resources on a 1.32 cluster) that ours must not shadow. */
const CORE_SHORT_NAMES = new Set([
  'cs',
  'cm',
  'ep',
  'ev',
  'limits',
  'ns',
  'no',
  'pvc',
  'pv',
  'po',
  'rc',
  'quota',
  'sa',
  'svc',
  'crd',
  'crds',
  'ds',
  'deploy',
  'rs',
  'sts',
  'hpa',
  'cj',
  'csr',
  'ing',
  'netpol',
  'pdb',
  'pc',
  'sc',
  'ingclass',
  'vac',
  'psp',
  'ipa',
  'csinode',
  'csidriver',
  'lease',
  'all',
]);
const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);
/** Keys a structural schema node may carry (apiextensions.k8s.io/v1 JSONSchemaProps, minus what we forbid). */
const ALLOWED_SCHEMA_KEYS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'default',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'nullable',
  'example',
  'title',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
]);
const METADATA_FIELDS = new Set([
  'name',
  'uid',
  'generation',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
]);

function clone<T>(x: T): T {
  return structuredClone(x);
}

function schemaOf(crd: CustomResourceDefinition): JSONSchemaProps {
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

const CRDS = loadCrds();
const BY_KIND = new Map(CRDS.map((c) => [c.spec.names.kind, c]));

function crdFor(kind: string): CustomResourceDefinition {
  const crd = BY_KIND.get(kind);
  assert.ok(crd, `no CRD for kind ${kind}`);
  return crd;
}

// ---------------------------------------------------------------------------------------------------------------------
// Structural-schema checker (what kube-apiserver enforces for apiextensions.k8s.io/v1, plus our own rules)

/** Walks a schema and reports every violation as "path: message". */
function structuralErrors(schema: JSONSchemaProps, at = 'openAPIV3Schema'): string[] {
  const errs: string[] = [];
  const walk = (s: JSONSchemaProps, p: string, isRoot: boolean): void => {
    for (const key of Object.keys(s)) {
      if (key === 'x-kubernetes-validations')
        errs.push(`${p}: x-kubernetes-validations (CEL) is not supported by our server`);
      else if (!ALLOWED_SCHEMA_KEYS.has(key)) errs.push(`${p}: keyword ${key} is not allowed in a structural schema`);
    }
    const exempt = s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
    if (!s.type && !exempt) errs.push(`${p}: missing type`);
    if (s.type && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(s.type)) {
      errs.push(`${p}: unknown type ${String(s.type)}`);
    }
    if (!isRoot && (typeof s.description !== 'string' || s.description.trim() === ''))
      errs.push(`${p}: missing description`);
    if (s.format !== undefined && s.format !== 'date-time')
      errs.push(`${p}: format ${s.format} (only date-time is allowed)`);
    if (s.properties && s.additionalProperties !== undefined)
      errs.push(`${p}: properties and additionalProperties together`);
    if (s.additionalProperties === false || s.additionalProperties === true) {
      errs.push(`${p}: additionalProperties must be a schema, not a boolean`);
    }
    if (s.properties && s.type !== 'object') errs.push(`${p}: properties on a non-object`);
    if (s.items && s.type !== 'array') errs.push(`${p}: items on a non-array`);
    if (s.type === 'array' && !s.items) errs.push(`${p}: array without items`);
    if (s.type === 'object' && !s.properties && !s.additionalProperties && !s['x-kubernetes-preserve-unknown-fields']) {
      errs.push(`${p}: object without properties or additionalProperties`);
    }
    for (const r of s.required ?? []) {
      if (!s.properties || !(r in s.properties)) errs.push(`${p}: required field ${r} is not in properties`);
    }
    if (s.enum) {
      for (const v of s.enum) {
        const t = typeof v;
        const ok = s.type === 'string' ? t === 'string' : s.type === 'integer' ? Number.isInteger(v) : s.type === t;
        if (!ok) errs.push(`${p}: enum value ${JSON.stringify(v)} does not match type ${String(s.type)}`);
      }
    }
    if (s.pattern !== undefined) {
      try {
        new RegExp(s.pattern, 'u');
      } catch (e) {
        errs.push(`${p}: pattern does not compile: ${(e as Error).message}`);
      }
      // Kubernetes evaluates patterns with Go's RE2: no lookaround, no backreferences.
      if (/\(\?[=!<]|\\[1-9]/.test(s.pattern)) errs.push(`${p}: pattern uses lookaround or backreferences (not RE2)`);
      if (!s.pattern.startsWith('^') || !s.pattern.endsWith('$')) errs.push(`${p}: pattern is not anchored with ^…$`);
    }
    const listType = s['x-kubernetes-list-type'];
    if (listType !== undefined) {
      if (s.type !== 'array') errs.push(`${p}: x-kubernetes-list-type on a non-array`);
      if (listType === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        if (keys.length === 0) errs.push(`${p}: list-type map without list-map-keys`);
        const it = s.items;
        if (!it || it.type !== 'object' || !it.properties) errs.push(`${p}: list-type map items must be objects`);
        for (const k of keys) {
          const ks = it?.properties?.[k];
          if (!ks) errs.push(`${p}: list-map key ${k} is not an item property`);
          else if (!['string', 'integer', 'boolean'].includes(String(ks.type)))
            errs.push(`${p}: list-map key ${k} is not scalar`);
          else if (!(it?.required ?? []).includes(k) && ks.default === undefined) {
            errs.push(`${p}: list-map key ${k} must be required or defaulted`);
          }
        }
      } else if (listType === 'set') {
        if (!s.items || !['string', 'integer', 'number', 'boolean'].includes(String(s.items.type))) {
          errs.push(`${p}: list-type set items must be scalars`);
        }
      } else if (listType !== 'atomic') {
        errs.push(`${p}: unknown x-kubernetes-list-type ${String(listType)}`);
      }
    } else if (s['x-kubernetes-list-map-keys']) {
      errs.push(`${p}: list-map-keys without list-type map`);
    }
    for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, `${p}.properties.${k}`, false);
    if (s.items) walk(s.items, `${p}.items`, false);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      walk(s.additionalProperties, `${p}.additionalProperties`, false);
    }
  };
  walk(schema, at, true);
  if (schema.type !== 'object') errs.push(`${at}: root must be type object`);
  if (schema.properties?.['metadata']) errs.push(`${at}: metadata must not be in the schema`);
  return errs;
}

// ---------------------------------------------------------------------------------------------------------------------
// Printer column jsonPath: the subset our server evaluates

type Step = { field: string } | { index: number } | { filter: { field: string; value: string } };

/** Parses `.a.b`, `.a[0].b` and `.a[?(@.k=="v")].b`; returns undefined for anything else. */
function parseJsonPath(p: string): Step[] | undefined {
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[\?\(@\.([A-Za-z_][A-Za-z0-9_]*)=="([^"\\]*)"\)\]/y;
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    re.lastIndex = i;
    const m = re.exec(p);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) {
      if (steps.length === 0) return undefined;
      steps.push({ index: Number(m[2]) });
    } else {
      if (steps.length === 0) return undefined;
      steps.push({ filter: { field: m[3], value: m[4] } });
    }
    i = re.lastIndex;
  }
  return steps.length > 0 && 'field' in steps[0] ? steps : undefined;
}

/** Resolves a parsed path in a CRD schema; returns the leaf schema or an error string. */
function resolveColumn(schema: JSONSchemaProps, steps: Step[]): JSONSchemaProps | string {
  const first = steps[0];
  if ('field' in first && first.field === 'metadata') {
    const f = steps[1];
    if (steps.length === 2 && f && 'field' in f && METADATA_FIELDS.has(f.field)) {
      const t = f.field === 'generation' ? 'integer' : 'string';
      return { type: t, ...(f.field.endsWith('Timestamp') ? { format: 'date-time' } : {}) };
    }
    return 'only .metadata.{name,uid,generation,resourceVersion,creationTimestamp,deletionTimestamp} are supported';
  }
  let cur: JSONSchemaProps = schema;
  for (const step of steps) {
    if ('field' in step) {
      const next = cur.type === 'object' ? cur.properties?.[step.field] : undefined;
      if (!next) return `field ${step.field} does not exist`;
      cur = next;
    } else {
      if (cur.type !== 'array' || !cur.items) return 'index or filter on a non-array';
      cur = cur.items;
      if ('filter' in step) {
        const key = cur.properties?.[step.filter.field];
        if (!key) return `filter field ${step.filter.field} does not exist`;
        if (key.enum && !key.enum.includes(step.filter.value)) return `filter value ${step.filter.value} not in enum`;
      }
    }
  }
  return cur;
}

function columnTypeMatches(colType: string, leaf: JSONSchemaProps): boolean {
  switch (colType) {
    case 'integer':
      return leaf.type === 'integer';
    case 'number':
      return leaf.type === 'integer' || leaf.type === 'number';
    case 'boolean':
      return leaf.type === 'boolean';
    case 'date':
      return leaf.type === 'string' && leaf.format === 'date-time';
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// ajv

function newAjv(opts: { useDefaults?: boolean } = {}) {
  // 'date-time' is informational only (never relied upon); true = accept any string without a warning.
  return new Ajv({ strict: false, allErrors: true, formats: { 'date-time': true }, ...opts });
}

/** Copy of the schema where every fixed-key object rejects unknown fields (what fieldValidation=Strict does). */
function strictSchema(s: JSONSchemaProps): JSONSchemaProps {
  const out: JSONSchemaProps = { ...s };
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, strictSchema(v)]));
    if (s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
      out.additionalProperties = false;
    }
  }
  if (s.items) out.items = strictSchema(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    out.additionalProperties = strictSchema(s.additionalProperties);
  }
  return out;
}

const ajv = newAjv();
const strictValidators = new Map<string, ValidateFunction>();
function strictValidator(kind: string): ValidateFunction {
  let v = strictValidators.get(kind);
  if (!v) {
    v = ajv.compile(strictSchema(schemaOf(crdFor(kind))));
    strictValidators.set(kind, v);
  }
  return v;
}

/** The part of an object that the CRD schema covers: everything but metadata (the server validates metadata itself). */
function validatable(obj: Obj): Obj {
  const { metadata: _metadata, ...rest } = obj;
  return rest;
}

function validate(kind: string, obj: Obj): ErrorObject[] {
  const v = strictValidator(kind);
  return v(validatable(obj)) ? [] : [...(v.errors ?? [])];
}

function fmt(errors: ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message ?? ''}`).join('; ');
}

// ---------------------------------------------------------------------------------------------------------------------
// Examples

function loadExamples(): Array<{ file: string; obj: Obj }> {
  const out: Array<{ file: string; obj: Obj }> = [];
  for (const f of readdirSync(EXAMPLES_DIR)
    .filter((x) => /\.ya?ml$/.test(x))
    .sort()) {
    for (const d of yaml.loadAll(readFileSync(path.join(EXAMPLES_DIR, f), 'utf8'))) {
      if (d !== null && d !== undefined) out.push({ file: f, obj: d as Obj });
    }
  }
  return out;
}

const EXAMPLES = loadExamples();

function example(kind: string, name?: string): Obj {
  const found = EXAMPLES.find(
    (e) => e.obj['kind'] === kind && (name === undefined || (e.obj['metadata'] as Obj)['name'] === name),
  );
  assert.ok(found, `no example ${kind} ${name ?? ''}`);
  return clone(found.obj);
}

function get(o: unknown, ...keys: Array<string | number>): unknown {
  let cur: unknown = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

// =====================================================================================================================
// (a) generated types

test('api/v1alpha1/types.ts is exactly what hack/gen-types.ts generates from crds/', () => {
  const committed = readFileSync(TYPES_FILE, 'utf8');
  const generated = generateTypes();
  assert.ok(generated.startsWith('// Code generated by hack/gen-types.ts — do not edit.'));
  assert.equal(committed, generated, 'types.ts is stale: run `node --import tsx hack/gen-types.ts`');
});

test('generateTypes is deterministic and covers every kind', () => {
  const a = generateTypes();
  assert.equal(a, generateTypes());
  for (const k of KINDS) {
    for (const name of [k, `${k}Spec`, `${k}Status`, `${k}List`]) {
      assert.match(a, new RegExp(`^export interface ${name} \\{`, 'm'), `missing interface ${name}`);
    }
  }
  assert.match(
    a,
    /^export type \{ ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference \};/m,
    'metadata types come from api/meta',
  );
  assert.match(a, /^export interface Condition \{/m);
  assert.match(a, /^export const KINDS = \[/m);
  // a few spot checks of the mapping
  assert.match(a, /channel\?: 'native' \| 'tagged';/);
  assert.match(a, /nics\?: NodeNic\[\];/);
  assert.match(a, /options\?: Record<string, string>;/);
  assert.match(a, /conditions\?: Condition\[\];/);
});

// =====================================================================================================================
// (b) CRDs are valid, structural apiextensions.k8s.io/v1

test('crds/ has one CRD file per kind, named hil.io_<plural>.yaml', () => {
  const files = readdirSync(CRD_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();
  assert.deepEqual(
    CRDS.map((c) => c.spec.names.kind),
    KINDS,
  );
  assert.deepEqual(files, CRDS.map((c) => `hil.io_${c.spec.names.plural}.yaml`).sort());
  for (const f of files) {
    const docs = yaml.loadAll(readFileSync(path.join(CRD_DIR, f), 'utf8')).filter((d) => d != null);
    assert.equal(docs.length, 1, `${f}: exactly one YAML document`);
  }
});

for (const crd of CRDS) {
  const kind = crd.spec.names.kind;
  test(`${kind}: CRD top-level fields, names, scope and version`, () => {
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.kind, 'CustomResourceDefinition');
    const n = crd.spec.names;
    assert.equal(crd.spec.group, 'hil.io');
    assert.equal(crd.metadata.name, `${n.plural}.hil.io`);
    assert.match(n.plural, /^[a-z]+$/);
    assert.equal(n.singular, kind.toLowerCase());
    assert.equal(n.listKind, `${kind}List`);
    assert.match(kind, /^[A-Z][A-Za-z]+$/);
    assert.ok(n.shortNames && n.shortNames.length > 0, 'shortNames');
    assert.ok(n.categories?.includes('hil'), 'categories include hil');
    assert.equal(crd.spec.scope, 'Cluster');
    assert.equal(crd.spec.versions.length, 1);
    const v = crd.spec.versions[0];
    assert.equal(v.name, 'v1alpha1');
    assert.equal(v.served, true);
    assert.equal(crd.spec.versions.filter((x) => x.storage).length, 1, 'exactly one storage version');
    assert.deepEqual(v.subresources, { status: {} });
    const root = v.schema.openAPIV3Schema;
    assert.equal(root.properties?.['spec']?.type, 'object');
    assert.equal(root.properties?.['status']?.type, 'object');
    assert.ok(
      (root.required ?? []).includes('spec') || root.properties?.['spec']?.default !== undefined,
      'spec is required or defaulted',
    );
  });

  test(`${kind}: schema is structural`, () => {
    assert.deepEqual(structuralErrors(schemaOf(crd)), []);
  });

  test(`${kind}: status has observedGeneration and standard conditions`, () => {
    const status = schemaOf(crd).properties!['status'];
    assert.equal(status.properties?.['observedGeneration']?.type, 'integer');
    const conds = status.properties?.['conditions'];
    assert.ok(conds, 'status.conditions');
    assert.deepEqual(conds.items, schemaOf(crdFor('Node')).properties!['status'].properties!['conditions'].items);
    assert.equal(conds['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conds['x-kubernetes-list-map-keys'], ['type']);
    assert.deepEqual([...(conds.items?.required ?? [])].sort(), ['lastTransitionTime', 'reason', 'status', 'type']);
    assert.deepEqual(conds.items?.properties?.['status']?.enum, ['True', 'False', 'Unknown']);
  });

  test(`${kind}: printer columns use the supported jsonPath subset and point at real fields`, () => {
    const cols = crd.spec.versions[0].additionalPrinterColumns ?? [];
    assert.ok(cols.length >= 2, 'at least one column besides Age');
    const names = cols.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'column names are unique');
    const last = cols[cols.length - 1];
    assert.deepEqual(
      { name: last.name, type: last.type, jsonPath: last.jsonPath },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    );
    for (const c of cols) {
      assert.ok(COLUMN_TYPES.has(c.type), `${c.name}: column type ${c.type}`);
      const steps = parseJsonPath(c.jsonPath);
      assert.ok(steps, `${c.name}: jsonPath ${c.jsonPath} is outside the supported subset`);
      const leaf = resolveColumn(schemaOf(crd), steps);
      assert.ok(typeof leaf !== 'string', `${c.name}: ${c.jsonPath}: ${String(leaf)}`);
      assert.ok(columnTypeMatches(c.type, leaf), `${c.name}: column type ${c.type} vs field type ${String(leaf.type)}`);
      if (c.priority !== undefined) assert.ok(Number.isInteger(c.priority) && c.priority >= 0);
    }
  });

  test(`${kind}: every default validates against its own schema`, () => {
    const visit = (s: JSONSchemaProps, p: string): void => {
      if (s.default !== undefined) {
        const { default: def, ...rest } = s;
        const v = newAjv().compile(rest);
        assert.ok(v(def), `${p}: default ${JSON.stringify(def)} is invalid: ${fmt(v.errors ?? [])}`);
      }
      for (const [k, sub] of Object.entries(s.properties ?? {})) visit(sub, `${p}.${k}`);
      if (s.items) visit(s.items, `${p}[]`);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${p}{}`);
    };
    visit(schemaOf(crd), kind);
  });
}

test('short names are unique and do not shadow core Kubernetes short names', () => {
  const all = CRDS.flatMap((c) => c.spec.names.shortNames ?? []);
  assert.equal(new Set(all).size, all.length, `duplicate short names in ${all.join(',')}`);
  for (const s of all) {
    assert.ok(!CORE_SHORT_NAMES.has(s), `short name ${s} collides with a core Kubernetes short name`);
    assert.match(s, /^[a-z]+$/);
  }
  assert.deepEqual(crdFor('Node').spec.names.shortNames, ['hn']);
});

test('no password field anywhere and no secrets inline: credentials are Secret references', () => {
  const visit = (s: JSONSchemaProps, p: string): void => {
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      assert.doesNotMatch(k, /password|token/i, `${p}.${k}`);
      visit(sub, `${p}.${k}`);
    }
    if (s.items) visit(s.items, `${p}[]`);
  };
  for (const c of CRDS) visit(schemaOf(c), c.spec.names.kind);
  const swRef = schemaOf(crdFor('Switch')).properties!['spec'].properties!['credentialsSecretRef'];
  const obmRef = schemaOf(crdFor('Node')).properties!['spec'].properties!['obm'].properties!['credentialsSecretRef'];
  assert.deepEqual(swRef?.properties, obmRef?.properties);
  assert.equal(swRef?.properties?.['namespace']?.default, 'hil-system');
});

test('the structural checker and jsonPath parser reject bad input (they can fail)', () => {
  const bad: Array<[JSONSchemaProps, RegExp]> = [
    [{ type: 'object', properties: { a: { description: 'x' } } }, /missing type/],
    [
      {
        type: 'object',
        properties: {
          a: { type: 'object', description: 'x', properties: {}, additionalProperties: { type: 'string' } },
        },
      },
      /properties and additionalProperties together/,
    ],
    [
      { type: 'object', properties: { a: { type: 'string', description: 'x', 'x-kubernetes-validations': [] } } },
      /CEL/,
    ],
    [{ type: 'object', properties: { a: { type: 'string', description: 'x', format: 'ipv4' } } }, /format ipv4/],
    [{ type: 'object', properties: { a: { type: 'string' } } }, /missing description/],
    [{ type: 'object', properties: { a: { type: 'string', description: 'x', pattern: '^(?!x).*$' } } }, /RE2/],
    [
      {
        type: 'object',
        properties: {
          a: {
            type: 'array',
            description: 'x',
            items: { type: 'string', description: 'y' },
            'x-kubernetes-list-type': 'map',
          },
        },
      },
      /list-map-keys/,
    ],
    [
      {
        type: 'object',
        properties: {
          metadata: { type: 'object', description: 'm', properties: { name: { type: 'string', description: 'n' } } },
        },
      },
      /metadata/,
    ],
    [{ type: 'object', properties: { a: { type: 'string', description: 'x', uniqueItems: true } } }, /uniqueItems/],
  ];
  for (const [schema, re] of bad) assert.match(structuralErrors(schema).join('\n'), re);
  assert.deepEqual(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), [
    { field: 'status' },
    { field: 'conditions' },
    { filter: { field: 'type', value: 'Ready' } },
    { field: 'status' },
  ]);
  assert.deepEqual(parseJsonPath('.spec.nics[0].name'), [
    { field: 'spec' },
    { field: 'nics' },
    { index: 0 },
    { field: 'name' },
  ]);
  for (const p of ['spec.a', '.spec..a', '.spec[*]', '.spec.a[?(@.b!="c")]', '{.spec.a}', '.spec.a[-1]', '']) {
    assert.equal(parseJsonPath(p), undefined, p);
  }
  const nodeSchema = schemaOf(crdFor('Node'));
  assert.equal(typeof resolveColumn(nodeSchema, parseJsonPath('.spec.nope')!), 'string');
  assert.equal(typeof resolveColumn(nodeSchema, parseJsonPath('.spec.project[0]')!), 'string');
  assert.equal(typeof resolveColumn(nodeSchema, parseJsonPath('.status.conditions[?(@.kind=="x")].status')!), 'string');
  assert.equal(typeof resolveColumn(nodeSchema, parseJsonPath('.spec.nics[0].port')!), 'object');
});

// =====================================================================================================================
// (c) ajv: schemas compile, examples validate, bad input is rejected at the right path

test('every schema compiles with ajv (strict: false, allErrors: true)', () => {
  for (const c of CRDS) {
    const v = newAjv().compile(schemaOf(c));
    assert.equal(typeof v, 'function');
  }
});

test('YAML files quote scalars that YAML 1.1 (kubectl, sigs.k8s.io/yaml) would read as booleans', () => {
  const files = [
    ...readdirSync(CRD_DIR).map((f) => path.join(CRD_DIR, f)),
    ...readdirSync(EXAMPLES_DIR).map((f) => path.join(EXAMPLES_DIR, f)),
  ].filter((f) => /\.ya?ml$/.test(f));
  const yaml11Bool = /^\s*(-\s+|[A-Za-z0-9_.-]+:\s+)(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)\s*(#.*)?$/;
  for (const f of files) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => assert.doesNotMatch(line, yaml11Bool, `${path.relative(REPO_ROOT, f)}:${i + 1}: quote it`));
  }
});

test('manifests/examples: one Secret and every hil.io kind, in a handful of files', () => {
  const files = new Set(EXAMPLES.map((e) => e.file));
  assert.ok(files.size <= 10, `${files.size} files`);
  const count = (k: string) => EXAMPLES.filter((e) => e.obj['kind'] === k).length;
  assert.equal(count('Secret'), 1);
  assert.equal(count('Project'), 1);
  assert.equal(count('User'), 1);
  assert.equal(count('Switch'), 1);
  assert.equal(count('Port'), 2);
  assert.equal(count('Node'), 2);
  assert.equal(count('Network'), 2);
  assert.equal(count('NetworkAttachment'), 2);
  assert.equal(count('Headnode'), 1);
  assert.equal(EXAMPLES.length, 13, 'no other objects (e.g. no Namespace)');
  const secret = example('Secret');
  assert.equal(secret['apiVersion'], 'v1');
  assert.equal(get(secret, 'metadata', 'namespace'), 'hil-system');
  assert.equal(typeof get(secret, 'stringData', 'username'), 'string');
  assert.equal(typeof get(secret, 'stringData', 'password'), 'string');
});

for (const { file, obj } of EXAMPLES.filter((e) => e.obj['apiVersion'] === 'hil.io/v1alpha1')) {
  const name = String(get(obj, 'metadata', 'name'));
  test(`example ${file} ${String(obj['kind'])}/${name} validates against its CRD (unknown fields rejected)`, () => {
    assert.match(name, DNS1123_SUBDOMAIN);
    assert.ok(name.length <= 253);
    assert.equal(get(obj, 'metadata', 'namespace'), undefined, 'cluster-scoped: no namespace');
    assert.equal(obj['status'], undefined, 'examples carry no status');
    const errors = validate(String(obj['kind']), obj);
    assert.deepEqual(errors, [], fmt(errors));
  });
}

test('examples reference each other consistently', () => {
  const names = (kind: string) =>
    new Set(EXAMPLES.filter((e) => e.obj['kind'] === kind).map((e) => String(get(e.obj, 'metadata', 'name'))));
  const projects = names('Project');
  const switches = names('Switch');
  const ports = names('Port');
  const networks = names('Network');
  const secret = example('Secret');
  const sw = example('Switch');
  assert.equal(get(sw, 'spec', 'credentialsSecretRef', 'name'), get(secret, 'metadata', 'name'));
  assert.equal(get(sw, 'spec', 'credentialsSecretRef', 'namespace') ?? 'hil-system', 'hil-system');
  const interfaces = new Set<string>();
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'Port')) {
    assert.ok(switches.has(String(get(e.obj, 'spec', 'switch'))));
    interfaces.add(`${String(get(e.obj, 'spec', 'switch'))}/${String(get(e.obj, 'spec', 'interface'))}`);
  }
  assert.equal(interfaces.size, ports.size, 'one Port per (switch, interface)');
  const nicPorts: string[] = [];
  const nics = new Map<string, Set<string>>();
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'Node')) {
    const spec = e.obj['spec'] as Obj;
    const p = String(spec['project'] ?? '');
    assert.ok(p === '' || projects.has(p));
    const list = (spec['nics'] as Obj[] | undefined) ?? [];
    nics.set(String(get(e.obj, 'metadata', 'name')), new Set(list.map((n) => String(n['name']))));
    for (const n of list) {
      if (n['port'] !== undefined) {
        assert.ok(ports.has(String(n['port'])), `port ${String(n['port'])}`);
        nicPorts.push(String(n['port']));
      }
    }
  }
  assert.equal(new Set(nicPorts).size, nicPorts.length, 'a port belongs to at most one NIC');
  const vlanRanges = (get(sw, 'spec', 'vlanRange') as string[] | undefined) ?? [];
  const inRange = (v: number) =>
    vlanRanges.some((r) => {
      const [lo, hi] = r.split('-').map(Number);
      return v >= lo && v <= (hi ?? lo);
    });
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'Network')) {
    const owner = String(get(e.obj, 'spec', 'owner') ?? '');
    assert.ok(owner === '' || projects.has(owner));
    for (const p of (get(e.obj, 'spec', 'accessProjects') as string[] | undefined) ?? []) assert.ok(projects.has(p));
    const vlan = get(e.obj, 'spec', 'vlan');
    if (vlan !== undefined) {
      assert.equal(owner, '', 'explicit VLANs are for admin-owned networks');
      assert.ok(inRange(Number(vlan)), `vlan ${String(vlan)} inside the switch allow-list`);
    }
  }
  const seen = new Set<string>();
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'NetworkAttachment')) {
    const s = e.obj['spec'] as Obj;
    assert.ok(nics.get(String(s['node']))?.has(String(s['nic'])), `${String(s['node'])}/${String(s['nic'])}`);
    assert.ok(networks.has(String(s['network'])));
    const key = `${String(s['node'])}/${String(s['nic'])}/${String(s['network'])}`;
    assert.ok(!seen.has(key), 'at most one attachment per (nic, network)');
    seen.add(key);
  }
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'Headnode')) {
    assert.ok(projects.has(String(get(e.obj, 'spec', 'project'))));
    for (const h of (get(e.obj, 'spec', 'hnics') as Obj[] | undefined) ?? []) {
      if (h['network'] !== undefined) assert.ok(networks.has(String(h['network'])));
    }
  }
  for (const e of EXAMPLES.filter((x) => x.obj['kind'] === 'User')) {
    for (const p of (get(e.obj, 'spec', 'projects') as string[] | undefined) ?? []) assert.ok(projects.has(p));
  }
});

/** Realistic status objects, as controllers will write them; they must validate. */
const NOW = '2025-01-01T12:00:00Z';
const ready = (status: 'True' | 'False' | 'Unknown', type = 'Ready') => ({
  type,
  status,
  reason: status === 'True' ? 'Reconciled' : 'Waiting',
  message: 'example',
  lastTransitionTime: NOW,
  observedGeneration: 1,
});
const STATUSES: Record<string, Obj> = {
  Project: { nodes: 2, networks: 1, headnodes: 1, observedGeneration: 1, conditions: [ready('True')] },
  User: { observedGeneration: 1, conditions: [] },
  Switch: {
    conditions: [ready('True'), ready('True', 'Reachable')],
    lastSyncTime: NOW,
    lastSyncDuration: 1234,
    failedSyncAttempts: 0,
    nextSyncTime: NOW,
    capabilities: { trunk: true, nativeVlan: true, nativelessTrunk: true },
    observedGeneration: 3,
  },
  Port: { nativeVlan: 1001, taggedVlans: [1100, 1200], conditions: [ready('True', 'InSync')], observedGeneration: 1 },
  Node: {
    power: 'On',
    lastPowerCycle: NOW,
    nics: [{ name: 'eth0', networks: [{ network: 'runway-pxe', channel: 'native', vlan: 1001 }], inSync: true }],
    conditions: [ready('True')],
    observedGeneration: 2,
  },
  Network: { vlan: 1001, conditions: [ready('True')], observedGeneration: 1 },
  NetworkAttachment: {
    phase: 'Attached',
    switch: 'switch-01',
    port: 'switch-01-gi1-0-1',
    vlan: 1001,
    conditions: [ready('True')],
    observedGeneration: 1,
  },
  Headnode: {
    state: 'Running',
    uuid: '3f1c2b1e-6a53-11ef-9a3c-525400123456',
    vncPort: 5900,
    conditions: [ready('True')],
    observedGeneration: 1,
  },
};

test('realistic status objects validate for every kind', () => {
  for (const kind of KINDS) {
    const obj = { ...example(kind), status: STATUSES[kind] };
    const errors = validate(kind, obj);
    assert.deepEqual(errors, [], `${kind}: ${fmt(errors)}`);
  }
});

interface BadCase {
  name: string;
  kind: string;
  /** Example name to start from (default: the first example of the kind). */
  from?: string;
  mutate: (o: Obj) => void;
  instancePath: string;
  keyword: string;
  /** For keyword required / additionalProperties: the missing or extra property. */
  property?: string;
}

function spec(o: Obj): Obj {
  return o['spec'] as Obj;
}
function withStatus(kind: string, f: (s: Obj) => void): (o: Obj) => void {
  return (o) => {
    const s = clone(STATUSES[kind]);
    f(s);
    o['status'] = s;
  };
}

const BAD: BadCase[] = [
  {
    name: 'VLAN 5000',
    kind: 'Network',
    from: 'runway-provider',
    mutate: (o) => {
      spec(o)['vlan'] = 5000;
    },
    instancePath: '/spec/vlan',
    keyword: 'maximum',
  },
  {
    name: 'VLAN 0',
    kind: 'Network',
    from: 'runway-provider',
    mutate: (o) => {
      spec(o)['vlan'] = 0;
    },
    instancePath: '/spec/vlan',
    keyword: 'minimum',
  },
  {
    name: 'VLAN as string',
    kind: 'Network',
    from: 'runway-provider',
    mutate: (o) => {
      spec(o)['vlan'] = '1100';
    },
    instancePath: '/spec/vlan',
    keyword: 'type',
  },
  {
    name: 'status VLAN 4095',
    kind: 'Network',
    mutate: withStatus('Network', (s) => {
      s['vlan'] = 4095;
    }),
    instancePath: '/status/vlan',
    keyword: 'maximum',
  },
  {
    name: 'owner not DNS-1123',
    kind: 'Network',
    mutate: (o) => {
      spec(o)['owner'] = 'Runway_Project';
    },
    instancePath: '/spec/owner',
    keyword: 'pattern',
  },
  {
    name: 'unknown field vlanId',
    kind: 'Network',
    mutate: (o) => {
      spec(o)['vlanId'] = 7;
    },
    instancePath: '/spec',
    keyword: 'additionalProperties',
    property: 'vlanId',
  },
  {
    name: 'bad MAC',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['nics'] as Obj[])[0]['macAddress'] = '52:54:00:00:01';
    },
    instancePath: '/spec/nics/0/macAddress',
    keyword: 'pattern',
  },
  {
    name: 'MAC with dashes',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['nics'] as Obj[])[0]['macAddress'] = '52-54-00-00-01-01';
    },
    instancePath: '/spec/nics/0/macAddress',
    keyword: 'pattern',
  },
  {
    name: 'MAC with trailing newline',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['nics'] as Obj[])[0]['macAddress'] = '52:54:00:00:01:01\n';
    },
    instancePath: '/spec/nics/0/macAddress',
    keyword: 'pattern',
  },
  {
    name: 'NIC without name',
    kind: 'Node',
    mutate: (o) => {
      delete (spec(o)['nics'] as Obj[])[0]['name'];
    },
    instancePath: '/spec/nics/0',
    keyword: 'required',
    property: 'name',
  },
  {
    name: 'project with uppercase',
    kind: 'Node',
    mutate: (o) => {
      spec(o)['project'] = 'Runway';
    },
    instancePath: '/spec/project',
    keyword: 'pattern',
  },
  {
    name: 'obm type redfish',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['obm'] as Obj)['type'] = 'redfish';
    },
    instancePath: '/spec/obm/type',
    keyword: 'enum',
  },
  {
    name: 'obm host with ;',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['obm'] as Obj)['host'] = 'bmc;reboot';
    },
    instancePath: '/spec/obm/host',
    keyword: 'pattern',
  },
  {
    name: 'obm host starting with -',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['obm'] as Obj)['host'] = '-oProxyCommand=x';
    },
    instancePath: '/spec/obm/host',
    keyword: 'pattern',
  },
  {
    name: 'missing obm',
    kind: 'Node',
    mutate: (o) => {
      delete spec(o)['obm'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'obm',
  },
  {
    name: 'power "on" (lowercase)',
    kind: 'Node',
    mutate: (o) => {
      spec(o)['power'] = 'on';
    },
    instancePath: '/spec/power',
    keyword: 'enum',
  },
  {
    name: 'power true (YAML 1.1 On)',
    kind: 'Node',
    mutate: (o) => {
      spec(o)['power'] = true;
    },
    instancePath: '/spec/power',
    keyword: 'type',
  },
  {
    name: 'bootDevice cdrom',
    kind: 'Node',
    mutate: (o) => {
      spec(o)['bootDevice'] = 'cdrom';
    },
    instancePath: '/spec/bootDevice',
    keyword: 'enum',
  },
  {
    name: 'metadata value not a string',
    kind: 'Node',
    mutate: (o) => {
      (spec(o)['metadata'] as Obj)['rack'] = 7;
    },
    instancePath: '/spec/metadata/rack',
    keyword: 'type',
  },
  {
    name: 'status power Maybe',
    kind: 'Node',
    mutate: withStatus('Node', (s) => {
      s['power'] = 'Maybe';
    }),
    instancePath: '/status/power',
    keyword: 'enum',
  },
  {
    name: 'status NIC channel',
    kind: 'Node',
    mutate: withStatus('Node', (s) => {
      ((s['nics'] as Obj[])[0]['networks'] as Obj[])[0]['channel'] = 'vlan/native';
    }),
    instancePath: '/status/nics/0/networks/0/channel',
    keyword: 'enum',
  },
  {
    name: 'interface with ;',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = 'gi1/0/1;reload';
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'interface with newline',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = 'gi1/0/1\nreload';
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'interface with trailing newline',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = 'gi1/0/1\n';
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'interface with space',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = 'gi1/0/1 shutdown';
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'interface with $()',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = '$(reboot)';
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'interface too long',
    kind: 'Port',
    mutate: (o) => {
      spec(o)['interface'] = 'e' + '1'.repeat(64);
    },
    instancePath: '/spec/interface',
    keyword: 'pattern',
  },
  {
    name: 'missing switch',
    kind: 'Port',
    mutate: (o) => {
      delete spec(o)['switch'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'switch',
  },
  {
    name: 'observed tagged VLAN 0',
    kind: 'Port',
    mutate: withStatus('Port', (s) => {
      s['taggedVlans'] = [0];
    }),
    instancePath: '/status/taggedVlans/0',
    keyword: 'minimum',
  },
  {
    name: 'condition status Maybe',
    kind: 'Port',
    mutate: withStatus('Port', (s) => {
      (s['conditions'] as Obj[])[0]['status'] = 'Maybe';
    }),
    instancePath: '/status/conditions/0/status',
    keyword: 'enum',
  },
  {
    name: 'condition without reason',
    kind: 'Port',
    mutate: withStatus('Port', (s) => {
      delete (s['conditions'] as Obj[])[0]['reason'];
    }),
    instancePath: '/status/conditions/0',
    keyword: 'required',
    property: 'reason',
  },
  {
    name: 'channel trunk',
    kind: 'NetworkAttachment',
    mutate: (o) => {
      spec(o)['channel'] = 'trunk';
    },
    instancePath: '/spec/channel',
    keyword: 'enum',
  },
  {
    name: 'HIL channel vlan/native',
    kind: 'NetworkAttachment',
    mutate: (o) => {
      spec(o)['channel'] = 'vlan/native';
    },
    instancePath: '/spec/channel',
    keyword: 'enum',
  },
  {
    name: 'missing network',
    kind: 'NetworkAttachment',
    mutate: (o) => {
      delete spec(o)['network'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'network',
  },
  {
    name: 'missing nic',
    kind: 'NetworkAttachment',
    mutate: (o) => {
      delete spec(o)['nic'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'nic',
  },
  {
    name: 'phase Done',
    kind: 'NetworkAttachment',
    mutate: withStatus('NetworkAttachment', (s) => {
      s['phase'] = 'Done';
    }),
    instancePath: '/status/phase',
    keyword: 'enum',
  },
  {
    name: 'unknown switch type',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['type'] = 'juniper';
    },
    instancePath: '/spec/type',
    keyword: 'enum',
  },
  {
    name: 'HIL type URL',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['type'] = 'http://schema.massopencloud.org/haas/v0/switches/mock';
    },
    instancePath: '/spec/type',
    keyword: 'enum',
  },
  {
    name: 'missing address',
    kind: 'Switch',
    mutate: (o) => {
      delete spec(o)['address'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'address',
  },
  {
    name: 'address with ;',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['address'] = '10.0.0.1;reboot';
    },
    instancePath: '/spec/address',
    keyword: 'pattern',
  },
  {
    name: 'address with newline',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['address'] = '10.0.0.1\n';
    },
    instancePath: '/spec/address',
    keyword: 'pattern',
  },
  {
    name: 'maxSessions 0',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['maxSessions'] = 0;
    },
    instancePath: '/spec/maxSessions',
    keyword: 'minimum',
  },
  {
    name: 'maxSessions 65',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['maxSessions'] = 65;
    },
    instancePath: '/spec/maxSessions',
    keyword: 'maximum',
  },
  {
    name: 'maxSessions 1.5',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['maxSessions'] = 1.5;
    },
    instancePath: '/spec/maxSessions',
    keyword: 'type',
  },
  {
    name: 'parkingVlan 4096',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['parkingVlan'] = 4096;
    },
    instancePath: '/spec/parkingVlan',
    keyword: 'maximum',
  },
  {
    name: 'vlanRange 100-',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['vlanRange'] = ['100-'];
    },
    instancePath: '/spec/vlanRange/0',
    keyword: 'pattern',
  },
  {
    name: 'vlanRange 4095',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['vlanRange'] = ['300', '4095'];
    },
    instancePath: '/spec/vlanRange/1',
    keyword: 'pattern',
  },
  {
    name: 'vlanRange 0-10',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['vlanRange'] = ['0-10'];
    },
    instancePath: '/spec/vlanRange/0',
    keyword: 'pattern',
  },
  {
    name: 'vlanRange 100, 200',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['vlanRange'] = ['100, 200'];
    },
    instancePath: '/spec/vlanRange/0',
    keyword: 'pattern',
  },
  {
    name: 'vlanRange as a number',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['vlanRange'] = [100];
    },
    instancePath: '/spec/vlanRange/0',
    keyword: 'type',
  },
  {
    name: 'option value with ;',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['options'] = { bridge: 'br0;reboot' };
    },
    instancePath: '/spec/options/bridge',
    keyword: 'pattern',
  },
  {
    name: 'option value with space',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['options'] = { bridge: 'br0 x' };
    },
    instancePath: '/spec/options/bridge',
    keyword: 'pattern',
  },
  {
    name: 'secret ref without name',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['credentialsSecretRef'] = { namespace: 'hil-system' };
    },
    instancePath: '/spec/credentialsSecretRef',
    keyword: 'required',
    property: 'name',
  },
  {
    name: 'inline password',
    kind: 'Switch',
    mutate: (o) => {
      spec(o)['password'] = 'secret';
    },
    instancePath: '/spec',
    keyword: 'additionalProperties',
    property: 'password',
  },
  {
    name: 'status lastSyncDuration as string',
    kind: 'Switch',
    mutate: withStatus('Switch', (s) => {
      s['lastSyncDuration'] = '1.2s';
    }),
    instancePath: '/status/lastSyncDuration',
    keyword: 'type',
  },
  {
    name: 'status capabilities unknown key',
    kind: 'Switch',
    mutate: withStatus('Switch', (s) => {
      (s['capabilities'] as Obj)['lacp'] = true;
    }),
    instancePath: '/status/capabilities',
    keyword: 'additionalProperties',
    property: 'lacp',
  },
  {
    name: 'missing spec',
    kind: 'Switch',
    mutate: (o) => {
      delete o['spec'];
    },
    instancePath: '',
    keyword: 'required',
    property: 'spec',
  },
  {
    name: 'password in User',
    kind: 'User',
    mutate: (o) => {
      spec(o)['password'] = 'hunter2';
    },
    instancePath: '/spec',
    keyword: 'additionalProperties',
    property: 'password',
  },
  {
    name: 'admin as string',
    kind: 'User',
    mutate: (o) => {
      spec(o)['admin'] = 'yes';
    },
    instancePath: '/spec/admin',
    keyword: 'type',
  },
  {
    name: 'project name with /',
    kind: 'User',
    mutate: (o) => {
      spec(o)['projects'] = ['a/b'];
    },
    instancePath: '/spec/projects/0',
    keyword: 'pattern',
  },
  {
    name: 'project count negative',
    kind: 'Project',
    mutate: withStatus('Project', (s) => {
      s['nodes'] = -1;
    }),
    instancePath: '/status/nodes',
    keyword: 'minimum',
  },
  {
    name: 'headnode missing baseImage',
    kind: 'Headnode',
    mutate: (o) => {
      delete spec(o)['baseImage'];
    },
    instancePath: '/spec',
    keyword: 'required',
    property: 'baseImage',
  },
  {
    name: 'baseImage with shell',
    kind: 'Headnode',
    mutate: (o) => {
      spec(o)['baseImage'] = 'img && rm -rf /';
    },
    instancePath: '/spec/baseImage',
    keyword: 'pattern',
  },
  {
    name: 'hnic without name',
    kind: 'Headnode',
    mutate: (o) => {
      spec(o)['hnics'] = [{ network: 'runway-pxe' }];
    },
    instancePath: '/spec/hnics/0',
    keyword: 'required',
    property: 'name',
  },
  {
    name: 'running as string',
    kind: 'Headnode',
    mutate: (o) => {
      spec(o)['running'] = 'true';
    },
    instancePath: '/spec/running',
    keyword: 'type',
  },
  {
    name: 'headnode state Frozen',
    kind: 'Headnode',
    mutate: withStatus('Headnode', (s) => {
      s['state'] = 'Frozen';
    }),
    instancePath: '/status/state',
    keyword: 'enum',
  },
  {
    name: 'vncPort 70000',
    kind: 'Headnode',
    mutate: withStatus('Headnode', (s) => {
      s['vncPort'] = 70000;
    }),
    instancePath: '/status/vncPort',
    keyword: 'maximum',
  },
];

for (const c of BAD) {
  test(`rejects ${c.kind}: ${c.name} at ${c.instancePath || '/'}`, () => {
    const obj = example(c.kind, c.from);
    assert.deepEqual(validate(c.kind, obj), [], 'the unmodified example must be valid');
    c.mutate(obj);
    const errors = validate(c.kind, obj);
    assert.ok(errors.length > 0, 'expected a validation error');
    const hit = errors.find(
      (e) =>
        e.instancePath === c.instancePath &&
        e.keyword === c.keyword &&
        (c.property === undefined ||
          (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty === c.property ||
          (e.params as { additionalProperty?: string }).additionalProperty === c.property),
    );
    assert.ok(
      hit,
      `expected ${c.keyword} at ${c.instancePath || '/'}${c.property ? ` (${c.property})` : ''}, got: ${fmt(errors)}`,
    );
  });
}

test('valid edge values are accepted', () => {
  const ok: Array<[string, (o: Obj) => void, string?]> = [
    [
      'Network',
      (o) => {
        spec(o)['vlan'] = 1;
      },
      'runway-provider',
    ],
    [
      'Network',
      (o) => {
        spec(o)['vlan'] = 4094;
      },
      'runway-provider',
    ],
    [
      'Node',
      (o) => {
        spec(o)['project'] = '';
      },
    ],
    [
      'Node',
      (o) => {
        (spec(o)['nics'] as Obj[])[0]['macAddress'] = 'AA:BB:CC:DD:EE:FF';
      },
    ],
    [
      'Node',
      (o) => {
        (spec(o)['obm'] as Obj)['host'] = '[fe80::1%eth0]';
      },
    ],
    [
      'Node',
      (o) => {
        (spec(o)['obm'] as Obj)['host'] = '::1';
      },
    ],
    [
      'Port',
      (o) => {
        spec(o)['interface'] = 'Ethernet1/1';
      },
    ],
    [
      'Port',
      (o) => {
        spec(o)['interface'] = 'te1/0/48';
      },
    ],
    [
      'Port',
      (o) => {
        spec(o)['interface'] = '1/0/3';
      },
    ],
    [
      'Port',
      (o) => {
        spec(o)['interface'] = 'veth-n1.p0';
      },
    ],
    [
      'Port',
      (o) => {
        spec(o)['interface'] = 'port1';
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['vlanRange'] = ['1', '100-200', '4094', '1000-4094'];
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['address'] = 'unix:/var/run/openvswitch/db.sock';
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['address'] = 'tcp:127.0.0.1:6640';
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['address'] = 'https://switch.example.com:8008';
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['options'] = { bridge: 'br-hil', interfaceType: 'TenGigabitEthernet', dummyVlan: '2', save: 'false' };
      },
    ],
    [
      'Switch',
      (o) => {
        spec(o)['parkingVlan'] = 4095;
        spec(o)['maxSessions'] = 64;
      },
    ],
    [
      'NetworkAttachment',
      (o) => {
        delete spec(o)['channel'];
      },
    ],
    [
      'Headnode',
      (o) => {
        spec(o)['hnics'] = [{ name: 'unconnected' }];
      },
    ],
    [
      'Project',
      (o) => {
        delete o['spec'];
      },
    ],
  ];
  for (const [kind, mutate, from] of ok) {
    const obj = example(kind, from);
    mutate(obj);
    const errors = validate(kind, obj);
    assert.deepEqual(errors, [], `${kind}: ${fmt(errors)}`);
  }
});

test('defaults: ajv useDefaults fills what the server must default', () => {
  const dajv = newAjv({ useDefaults: true });
  const fill = (kind: string, obj: Obj): Obj => {
    const o = clone(obj);
    const v = dajv.compile(schemaOf(crdFor(kind)));
    assert.ok(v(o), fmt(v.errors ?? []));
    return o;
  };
  const na = example('NetworkAttachment');
  delete spec(na)['channel'];
  assert.equal(get(fill('NetworkAttachment', na), 'spec', 'channel'), 'native');
  const sw = fill('Switch', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Switch',
    spec: { type: 'mock', address: 'x', credentialsSecretRef: { name: 's' } },
  });
  assert.equal(get(sw, 'spec', 'maxSessions'), 1);
  assert.equal(get(sw, 'spec', 'credentialsSecretRef', 'namespace'), 'hil-system');
  assert.equal(get(sw, 'spec', 'parkingVlan'), undefined, 'parkingVlan has no schema default (driver-specific)');
  const hn = fill('Headnode', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Headnode',
    spec: { project: 'p', baseImage: 'img' },
  });
  assert.equal(get(hn, 'spec', 'running'), true);
  const node = fill('Node', {
    apiVersion: 'hil.io/v1alpha1',
    kind: 'Node',
    spec: { obm: { type: 'ipmi', host: '10.0.0.5' } },
  });
  assert.equal(get(node, 'spec', 'project'), '');
  assert.equal(get(node, 'spec', 'obm', 'port'), 623);
  assert.equal(get(node, 'spec', 'power'), undefined, 'power has no default: absent = leave power alone');
  const net = fill('Network', { apiVersion: 'hil.io/v1alpha1', kind: 'Network' });
  assert.deepEqual(net['spec'], { owner: '', public: false });
  const user = fill('User', { apiVersion: 'hil.io/v1alpha1', kind: 'User' });
  assert.deepEqual(user['spec'], { admin: false });
  const project = fill('Project', { apiVersion: 'hil.io/v1alpha1', kind: 'Project' });
  assert.deepEqual(project['spec'], {});
});

test('docs/resources.md documents every kind, short name and field', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'resources.md'), 'utf8');
  const paths = (s: JSONSchemaProps, p: string, out: string[]): string[] => {
    out.push(p);
    if (p.endsWith('.conditions')) return out; // documented once, in the shared Conditions table
    for (const [k, v] of Object.entries(s.properties ?? {})) paths(v, `${p}.${k}`, out);
    for (const [k, v] of Object.entries(s.items?.properties ?? {})) paths(v, `${p}[].${k}`, out);
    return out;
  };
  for (const c of CRDS) {
    const { kind, plural, shortNames } = c.spec.names;
    assert.match(doc, new RegExp(`^## ${kind}$`, 'm'), `section for ${kind}`);
    for (const s of [plural, ...(shortNames ?? [])]) assert.ok(doc.includes(`\`${s}\``), `${kind}: ${s}`);
    const root = schemaOf(c);
    for (const top of ['spec', 'status']) {
      for (const [k, v] of Object.entries(root.properties?.[top]?.properties ?? {})) {
        for (const p of paths(v, `${top}.${k}`, []))
          assert.ok(doc.includes(`| \`${p}\` |`), `${kind}: ${p} is not documented`);
      }
    }
    for (const col of c.spec.versions[0].additionalPrinterColumns ?? []) {
      assert.ok(doc.includes(col.name), `${kind}: column ${col.name}`);
    }
  }
});
