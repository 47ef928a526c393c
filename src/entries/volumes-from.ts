/** `volumes_from`: services whose volumes the service mounts (data-container's sidecar), appended to its volumes_from:. */
import type { ServiceEntryKind } from './types.js';

export const volumesFrom: ServiceEntryKind<'volumesFrom', string[]> = {
  key: 'volumes_from',
  field: 'volumesFrom',
  read: (rendered) => (Array.isArray(rendered) ? rendered : []).map(String),
  // Two parts naming the same service mount it once.
  combine: (first, second) => [...first, ...second.filter((v) => !first.includes(v))],
  change: (items) => (items.length ? { op: 'append', key: 'volumes_from', items } : undefined),
  userProblems: (items) => (items.length ? ["sets volumes_from: a user pattern mounts its own volumes, not another service's"] : []),
};
