// Which projects may use a network — HIL's rule, shared by admission (a revoke is refused while the project uses the
// network) and the switch reconciler (a VLAN reaches a port only while the node's project may use its network).
// Hand-written.

interface NetworkAccessSpec {
  owner?: string;
  public?: boolean;
  accessProjects?: string[];
}

/** May `project` use a network with this spec: owned by it, listed in accessProjects, or public. "" never may. */
export function projectMayUse(spec: NetworkAccessSpec | undefined, project: string): boolean {
  if (!project) return false;
  const s = spec ?? {};
  return s.public === true || (s.owner ?? '') === project || (s.accessProjects ?? []).includes(project);
}
