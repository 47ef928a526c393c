/** `top_volumes`: declarations of the volumes the service mounts, added under the top-level volumes:. */
import { asMapping } from '../yaml/plain.js';
import { localBindDevice } from '../compose/paths.js';
import type { TopEntryKind, UserPlan } from './types.js';
import { foreignVolume, hostPathProblem, obj } from './user-rules.js';

const DECLARATION_KEYS = new Set(['driver', 'driver_opts', 'labels']);

/** A user pattern declares only its plan's volumes, with a driver, options and labels; a local bind device passes safe-paths. */
function declarationProblems(name: string, decl: unknown, plan: UserPlan): (string | undefined)[] {
  const d = obj(decl);
  const out: (string | undefined)[] = [foreignVolume(name, plan, 'declares the top-level')];
  for (const k of Object.keys(d)) if (!DECLARATION_KEYS.has(k)) out.push(`writes ${k}: in the declaration of volume ${name}; a template may write ${[...DECLARATION_KEYS].join(', ')}`);
  const opts = Object.fromEntries(Object.entries(obj(d.driver_opts)).map(([k, x]) => [k, String(x)]));
  const device = localBindDevice(d.driver === undefined ? 'local' : String(d.driver), opts);
  if (device !== undefined) out.push(hostPathProblem(device, `the local driver's bind device of volume ${name}`));
  return out;
}

export const topVolumes: TopEntryKind<'topVolumes', Record<string, Record<string, unknown>>> = {
  key: 'top_volumes',
  field: 'topVolumes',
  read: (rendered) => asMapping(rendered) as Record<string, Record<string, unknown>>,
  combine: (first, second) => ({ ...first, ...second }),
  // A volume several services share (the same name:) is declared once.
  top: { key: 'volumes', once: true },
  userProblems: (declared, plan) => Object.entries(declared).flatMap(([name, decl]) => declarationProblems(name, decl, plan)).filter((p): p is string => p !== undefined),
};
