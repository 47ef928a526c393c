/**
 * Wording and checks the kinds' rules for user-defined patterns share (each
 * kind states its own rule in its module: types.ts, userProblems).
 */
import { unsafeHostPath } from '../compose/paths.js';
import type { UserPlan } from './types.js';

/** A host path a template mounts, held to safe-paths: true whatever the block says. */
export function hostPathProblem(path: string, what: string): string | undefined {
  const unsafe = unsafeHostPath(path, what);
  return unsafe && `mounts a host path: ${unsafe} (a template is held to safe-paths: true)`;
}

/** A volume name that is not one of the plan's (`verb`: mounts, declares the top-level). */
export function foreignVolume(name: string, plan: UserPlan, verb: string): string | undefined {
  return plan.ownVolumes.has(name) ? undefined : `${verb} volume ${JSON.stringify(name)}, which is not one of its plan's volumes (${[...plan.ownVolumes].join(', ') || 'none'})`;
}

export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
