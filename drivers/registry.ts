// Drivers by type name, made on first use (one instance per type, so a mock's simulated devices live as long as
// the process). Switch and OBM drivers each build theirs from this; what differs is the driver kind and the error
// for a type nobody serves.
export interface Registry<D> {
  /** The driver for a type; throws what `unknownType` makes for types nobody serves. */
  driverFor(type: string): D;
  /** The types this registry serves, sorted. */
  types(): string[];
}

export function lazyRegistry<D>(
  factories: Readonly<Record<string, () => D>>,
  overrides: Readonly<Record<string, D>>,
  unknownType: (type: string, available: string[]) => Error,
): Registry<D> {
  const made = new Map<string, D>(Object.entries(overrides));
  const types = () => [...new Set([...Object.keys(factories), ...made.keys()])].sort();
  return {
    driverFor(type: string): D {
      let d = made.get(type);
      if (d === undefined) {
        const make = Object.prototype.hasOwnProperty.call(factories, type) ? factories[type] : undefined;
        if (!make) throw unknownType(type, types());
        d = make();
        made.set(type, d);
      }
      return d;
    },
    types,
  };
}
