// Stamps the project an attachment or an event belongs to as the label hil.io/project, so list and watch can
// filter them for project members without looking up other objects. Clients cannot set or change it.
import { PROJECT_LABEL } from '../auth/authz.js';
import type { AdmissionPlugin } from '../handlers/resources.js';
import { specOf, type KObject } from '../object.js';
import type { StoreTx } from '../store/store.js';

/** kind of an involvedObject → how to find its project. */
async function projectOf(tx: StoreTx, kind: string, name: string): Promise<string> {
  const get = async (resource: string) => (await tx.get(resource, '', name))?.object;
  switch (kind) {
    case 'Node':
      return specOf(await get('hil.io/nodes')).project ?? '';
    case 'Network':
      return specOf(await get('hil.io/networks')).owner ?? '';
    case 'Headnode':
      return specOf(await get('hil.io/headnodes')).project ?? '';
    case 'NetworkAttachment':
      return (await get('hil.io/networkattachments'))?.metadata.labels?.[PROJECT_LABEL] ?? '';
    case 'Project':
      return (await get('hil.io/projects')) ? name : '';
    default:
      return '';
  }
}

function setLabel(o: KObject, value: string | undefined): void {
  const labels = { ...(o.metadata.labels ?? {}) };
  if (value) labels[PROJECT_LABEL] = value;
  else delete labels[PROJECT_LABEL];
  if (Object.keys(labels).length) o.metadata.labels = labels;
  else delete o.metadata.labels;
}

export const ownership: AdmissionPlugin = {
  name: 'ownership',
  async admit({ op, type, object, old, tx }) {
    if (!object) return;
    if (type.group === 'hil.io' && type.plural === 'networkattachments') {
      if (op === 'create') {
        const node = String((object.spec as any)?.node ?? '');
        setLabel(object, await projectOf(tx, 'Node', node));
      } else setLabel(object, old?.metadata.labels?.[PROJECT_LABEL]);
    } else if (type.group === '' && type.plural === 'events') {
      if (op === 'create') {
        const inv = ((object as any).involvedObject ?? {}) as { kind?: string; name?: string; apiVersion?: string };
        const ours = typeof inv.apiVersion === 'string' && inv.apiVersion.startsWith('hil.io/');
        setLabel(object, ours && inv.kind && inv.name ? await projectOf(tx, inv.kind, inv.name) : undefined);
      } else setLabel(object, old?.metadata.labels?.[PROJECT_LABEL]);
    }
  },
};
