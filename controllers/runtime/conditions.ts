// Standard conditions (metav1.Condition), cert-manager style: setting one keeps its lastTransitionTime unless its
// status actually flips, so rewriting the same condition is a no-op and status writes settle.
import type { Condition } from '../../api/v1alpha1/types.js';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function setCondition(
  conds: readonly Condition[] | undefined,
  c: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: (c.message ?? '').slice(0, 32_000),
    lastTransitionTime:
      prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(c.observedGeneration !== undefined ? { observedGeneration: c.observedGeneration } : {}),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function getCondition(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

export function removeCondition(conds: readonly Condition[] | undefined, type: string): Condition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}

/** Deep equality of JSON values (status comparisons: write only when something changed). */
