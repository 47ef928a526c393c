/** `volumes`: mount entries (long or short form, as rendered), appended to the service's volumes:. */
import { splitShortSpec } from '../compose/view.js';
import type { ServiceEntryKind, UserPlan } from './types.js';
import { foreignVolume, hostPathProblem, obj } from './user-rules.js';

const MOUNT_KEYS = new Set(['type', 'source', 'target', 'read_only', 'volume', 'bind', 'tmpfs']);
const isHostPath = (s: string): boolean => /^[./~$]/.test(s);

/** A user pattern mounts the plan's own volumes, binds at host paths that pass safe-paths, and tmpfs. */
function mountProblems(v: unknown, plan: UserPlan): (string | undefined)[] {
  if (typeof v === 'string') {
    const parts = splitShortSpec(v);
    const source = parts.length > 1 ? parts[0]! : '';
    if (!source) return [];
    return [isHostPath(source) ? hostPathProblem(source, 'the bind source') : foreignVolume(source, plan, 'mounts the')];
  }
  const m = obj(v);
  const out: (string | undefined)[] = Object.keys(m).filter((k) => !MOUNT_KEYS.has(k)).map((k) => `writes ${k}: in a mount; a mount holds ${[...MOUNT_KEYS].join(', ')}`);
  const source = typeof m.source === 'string' ? m.source : '';
  if (m.type === 'bind') out.push(hostPathProblem(source, 'the bind source'));
  else if (m.type === 'volume') out.push(source ? foreignVolume(source, plan, 'mounts the') : undefined);
  else if (m.type !== 'tmpfs') out.push(`writes a mount of type ${JSON.stringify(m.type)}; a template mounts volume, bind or tmpfs`);
  return out;
}

export const volumes: ServiceEntryKind<'volumes', unknown[]> = {
  key: 'volumes',
  field: 'volumes',
  read: (rendered) => (Array.isArray(rendered) ? rendered : []),
  combine: (first, second) => [...first, ...second],
  change: (items) => (items.length ? { op: 'append', key: 'volumes', items } : undefined),
  userProblems: (items, plan) => items.flatMap((v) => mountProblems(v, plan)).filter((p): p is string => p !== undefined),
};
