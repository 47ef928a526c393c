/**
 * What a user-defined pattern's rendered output may hold (README, "User-defined patterns"):
 * the plan's own volumes, mounted and declared; binds and bind devices only at host paths
 * that pass the safe-paths checks (always, as if safe-paths: true); on the service only
 * deploy.placement. No services, depends_on or volumes_from (a user pattern gets no sidecar
 * or init service), no privileged, pid, network_mode, cap_add, devices... And the level its
 * header declares must not be above what the output really mounts. Each kind of generated
 * entry states its own rule (src/entries/, userProblems); the level is checked here.
 */
import type { Level, ServicePlan } from '../model.js';
import { userPatternProblems, type Fragment } from '../entries/index.js';
import { ownMounts } from '../resolve/own-mounts.js';

const LEVELS: readonly Level[] = ['none', 'container', 'host'];

/** The problems of one rendered fragment (empty: it keeps to the rules); each kind of entry states its rule (src/entries/). */
export function userFragmentProblems(f: Fragment, plan: ServicePlan): string[] {
  return userPatternProblems(f, { ownVolumes: new Set(plan.volumes.map((v) => v.name)) });
}

/** The level the fragment's mounts really give: its weakest mount's (none when it mounts nothing). */
export function fragmentLevel(f: Fragment): Level {
  const mounts = ownMounts({ volumes: f.volumes } as Parameters<typeof ownMounts>[0], f.topVolumes);
  if (!mounts.length) return 'none';
  return mounts.reduce<Level>((low, m) => (LEVELS.indexOf(m.level) < LEVELS.indexOf(low) ? m.level : low), 'host');
}

export const levelAbove = (a: Level, b: Level): boolean => LEVELS.indexOf(a) > LEVELS.indexOf(b);
