// Headnode admission (every caller, administrators too), HIL's headnode rules:
//   - spec.baseImage must be one of hil.cfg [headnode] base_imgs (when configured) — HIL's "Provided image is not a
//     valid image."; it and spec.project cannot change afterwards (the VM is a clone of that image, in that project);
//   - a headnode's hnics are frozen once it has been started (status.frozen, written by the headnode controller
//     before the first start): changing them is a 409, as HIL's IllegalStateError;
//   - an hnic's network must have its VLAN from the pool, not an explicit spec.vlan (HIL: "Headnodes may only be
//     connected to networks allocated by the project."), since the host has bridges only for pool VLANs.
// Which networks a member may use is authorization (apiserver/auth/authz.ts).
import { ApiError, errors } from '../errors.js';
import type { AdmissionPlugin } from '../handlers/resources.js';
import { deepEqual, specOf, type KObject } from '../object.js';
import type { ResourceType } from '../registry.js';

export interface HeadnodeAdmissionOptions {
  /** [headnode] base_imgs; undefined or empty: any image name (the controller reports a missing one). */
  baseImages?: readonly string[];
}

function invalid(t: ResourceType, name: string, field: string, message: string): ApiError {
  return errors.invalid(t.kind, t.group, name, [{ reason: 'FieldValueInvalid', message, field }]);
}

type Hnic = { name: string; network?: string };

function hnicsOf(o: KObject): Hnic[] {
  return ((specOf(o).hnics ?? []) as Hnic[])
    .map((h) => ({ name: h.name, ...(h.network ? { network: h.network } : {}) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function headnodeAdmission(options: HeadnodeAdmissionOptions = {}): AdmissionPlugin {
  const images = options.baseImages ?? [];
  return {
    name: 'headnodes',
    async admit({ op, type: t, object, old, tx, subresource }) {
      if (t.group !== 'hil.io' || t.plural !== 'headnodes' || op === 'delete' || !object || subresource === 'status')
        return;
      const name = object.metadata.name!;
      const s = specOf(object);
      if (old) {
        const o = specOf(old);
        if (s.baseImage !== o.baseImage)
          throw invalid(
            t,
            name,
            'spec.baseImage',
            `Invalid value: ${JSON.stringify(s.baseImage)}: the base image of a headnode cannot be changed (its VM is a clone of ${JSON.stringify(o.baseImage)}); delete the headnode and create another`,
          );
        if (s.project !== o.project)
          throw invalid(
            t,
            name,
            'spec.project',
            `Invalid value: ${JSON.stringify(s.project)}: a headnode cannot move to another project`,
          );
        if ((old.status as { frozen?: boolean } | undefined)?.frozen && !deepEqual(hnicsOf(old), hnicsOf(object))) {
          throw new ApiError(
            409,
            'Conflict',
            `Headnode "${name}": spec.hnics cannot change: the headnode has been started, so its hnics are frozen (HIL's rule); delete the headnode and create another with the new hnics`,
            { name, group: t.group, kind: t.plural },
          );
        }
      } else if (images.length && !images.includes(s.baseImage)) {
        throw invalid(
          t,
          name,
          'spec.baseImage',
          `Unsupported value: ${JSON.stringify(s.baseImage)}: not a base image of this HIL ([headnode] base_imgs: ${images.join(', ')})`,
        );
      }
      const before = old
        ? new Map(hnicsOf(old).map((h) => [h.name, h.network]))
        : new Map<string, string | undefined>();
      for (const [i, h] of ((s.hnics ?? []) as Hnic[]).entries()) {
        if (!h.network || before.get(h.name) === h.network) continue;
        const net = await tx.get('hil.io/networks', '', h.network);
        if (net && specOf(net.object).vlan !== undefined) {
          throw invalid(
            t,
            name,
            `spec.hnics[${i}].network`,
            `Invalid value: ${JSON.stringify(h.network)}: headnodes may only be connected to networks whose VLAN comes from the pool (this one has an explicit spec.vlan), as in HIL`,
          );
        }
      }
    },
  };
}
