// Defaults for option objects. `{ ...defaults, ...opts }` lets an option passed as `undefined` (the daemon passes
// every flag through, set or not) replace its default — a NaN backoff, a status that cannot be written. Here an
// undefined option keeps its default.
export function withDefaults<D extends object, O extends object>(defaults: D, opts: O): D & O {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given } as D & O;
}
