/** `set`: keys set on the service (Swarm's deploy placement), deep-merged into what it has. */
import { asMapping } from '../yaml/plain.js';
import type { ServiceEntryKind } from './types.js';

type Obj = Record<string, unknown>;

/** Keys two parts set on one service (Swarm placement): mappings merged, lists joined without repeats. */
function mergeSet(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (Array.isArray(cur) && Array.isArray(v)) out[k] = [...cur, ...v.filter((x) => !cur.some((c) => JSON.stringify(c) === JSON.stringify(x)))];
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
};
