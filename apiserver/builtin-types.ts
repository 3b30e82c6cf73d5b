// The core Kubernetes kinds the controllers and tools need, described like CRDs so the server handles them the
// same way. Schemas cover the fields of the real types (k8s.io/api), so kubectl's strict field validation
// behaves as against a real cluster.
import type { JSONSchema, ResourceType } from './resource-type.js';

const str = (description?: string): JSONSchema => ({ type: 'string', ...(description ? { description } : {}) });
const int = { type: 'integer' };
const time = { type: 'string', format: 'date-time' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';

const objectReference: JSONSchema = {
  type: 'object',
  properties: {
    apiVersion: str(),
    kind: str(),
    name: str(),
    namespace: str(),
    uid: str(),
    resourceVersion: str(),
    fieldPath: str(),
  },
};

const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function core(
  t: Omit<ResourceType, 'strategicMerge' | 'statusSubresource' | 'categories' | 'listKind'> & Partial<ResourceType>,
): ResourceType {
  return { strategicMerge: true, statusSubresource: false, categories: [], listKind: `${t.kind}List`, ...t };
}

export function builtinTypes(): ResourceType[] {
  return [
    core({
      group: '',
      version: 'v1',
      plural: 'namespaces',
      singular: 'namespace',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      nameIsLabel: true,
      statusSubresource: true,
      schema: {
        type: 'object',
        properties: {
          spec: { type: 'object', properties: { finalizers: { type: 'array', items: str() } } },
          status: {
            type: 'object',
            properties: {
              phase: str(),
              conditions: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          },
        },
      },
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, age],
    }),
    core({
      group: '',
      version: 'v1',
      plural: 'secrets',
      singular: 'secret',
      kind: 'Secret',
      namespaced: true,
      shortNames: [],
      schema: {
        type: 'object',
        properties: {
          type: str('Used to facilitate programmatic handling of secret data.'),
          immutable: { type: 'boolean' },
          data: {
            type: 'object',
            additionalProperties: { type: 'string', pattern: BASE64 },
            description: 'base64-encoded values',
          },
          stringData: { ...stringMap, description: 'write-only plain values, merged into data on write' },
        },
      },
      printerColumns: [
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Data', type: 'integer', jsonPath: '.data', format: 'count' },
        age,
      ],
      normalize: (obj) => {
        // As the real API server does: stringData is write-only and lands in data, base64-encoded.
        if (obj.stringData && typeof obj.stringData === 'object') {
          obj.data = { ...(obj.data ?? {}) };
          for (const [k, v] of Object.entries(obj.stringData)) {
            if (typeof v === 'string') obj.data[k] = Buffer.from(v, 'utf8').toString('base64');
          }
          delete obj.stringData;
        }
        obj.type ??= 'Opaque';
      },
    }),
    core({
      group: '',
      version: 'v1',
      plural: 'events',
      singular: 'event',
      kind: 'Event',
      namespaced: true,
      shortNames: ['ev'],
      schema: {
        type: 'object',
        properties: {
          involvedObject: objectReference,
          reason: str(),
          message: str(),
          type: str(),
          count: int,
          firstTimestamp: time,
          lastTimestamp: time,
          eventTime: { type: 'string' },
          source: { type: 'object', properties: { component: str(), host: str() } },
          reportingComponent: str(),
          reportingInstance: str(),
          action: str(),
          related: objectReference,
          series: { type: 'object', properties: { count: int, lastObservedTime: { type: 'string' } } },
        },
      },
      printerColumns: [
        { name: 'Last Seen', type: 'date', jsonPath: '.lastTimestamp' },
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Reason', type: 'string', jsonPath: '.reason' },
        { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
        { name: 'Message', type: 'string', jsonPath: '.message' },
      ],
    }),
    core({
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      singular: 'lease',
      kind: 'Lease',
      namespaced: true,
      shortNames: [],
      schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              holderIdentity: str(),
              leaseDurationSeconds: int,
              acquireTime: { type: 'string' },
              renewTime: { type: 'string' },
              leaseTransitions: int,
              strategy: str(),
              preferredHolder: str(),
            },
          },
        },
      },
      printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }, age],
    }),
  ];
}
