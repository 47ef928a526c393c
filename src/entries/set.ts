/** `set`: keys set on the service (Swarm's deploy placement), deep-merged into what it has. */
import { isDeepStrictEqual } from 'node:util';
import { asMapping } from '../yaml/plain.js';
import type { ServiceEntryKind } from './types.js';
import { obj } from './user-rules.js';

type Obj = Record<string, unknown>;

/**
 * The items of `items` a list does not hold yet: a list of `set` is joined without repeats,
 * both when two parts of a service are combined and when merged into what the service has
 * (a placement constraint the service states itself is not written twice).
 */
export const newItems = (list: readonly unknown[], items: readonly unknown[]): unknown[] => items.filter((x) => !list.some((c) => isDeepStrictEqual(c, x)));

/** Keys two parts set on one service (Swarm placement): mappings merged, lists joined without repeats. */
function mergeSet(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (Array.isArray(cur) && Array.isArray(v)) out[k] = [...cur, ...newItems(cur, v)];
    else if (cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(cur) && !Array.isArray(v)) out[k] = mergeSet(cur as Obj, v as Obj);
    else out[k] = v;
  }
  return out;
}

export const set: ServiceEntryKind<'set', Obj> = {
  key: 'set',
  field: 'set',
  read: (rendered) => asMapping(rendered),
  combine: mergeSet,
  change: (keys) => (Object.keys(keys).length ? { op: 'deepMerge', keys } : undefined),
  // No privileged, pid, network_mode, cap_add, devices...: only where the service runs.
  userProblems: (keys) =>
    Object.entries(keys).flatMap(([k, v]) =>
      k !== 'deploy' ? [`sets ${k}: on the service; a user pattern may set only deploy.placement`] : Object.keys(obj(v)).filter((d) => d !== 'placement').map((d) => `sets deploy.${d}: on the service; a user pattern may set only deploy.placement`),
    ),
};
