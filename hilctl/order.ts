// The order that works whatever the file order: what others refer to goes first (a Port names its Switch, a
// Node its Ports and Project, an attachment its Node and Network). Deletion goes the other way round.

/** Kinds in apply order; anything else (Events, Leases, unknown kinds) comes after them. */
export const APPLY_ORDER = [
  'Namespace',
  'Secret',
  'Project',
  'User',
  'Switch',
  'Port',
  'Node',
  'Network',
  'NetworkAttachment',
  'Headnode',
];

export function kindRank(kind: string): number {
  const i = APPLY_ORDER.indexOf(kind);
  return i < 0 ? APPLY_ORDER.length : i;
}

/** A stable sort by kind rank: objects of one kind keep their file order. */
export function sortForApply<T>(items: T[], kindOf: (t: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, rank: kindRank(kindOf(item)) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.item);
}

/** The reverse: dependents first (attachments before networks and nodes, ports before switches). */
export function sortForDelete<T>(items: T[], kindOf: (t: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, rank: kindRank(kindOf(item)) }))
    .sort((a, b) => b.rank - a.rank || a.i - b.i)
    .map((x) => x.item);
}
