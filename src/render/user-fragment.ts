/**
 * What a user-defined pattern's rendered output may hold (README, "User-defined patterns"):
 * the plan's own volumes, mounted and declared; binds and bind devices only at host paths
 * that pass the safe-paths checks (always, as if safe-paths: true); on the service only
 * deploy.placement. No services, depends_on or volumes_from (a user pattern gets no sidecar
 * or init service), no privileged, pid, network_mode, cap_add, devices... And the level its
 * header declares must not be above what the output really mounts.
 */
import type { Level, ServicePlan } from '../model.js';
import { keysWritten, type Fragment } from '../entries/index.js';
import { ownMounts } from '../resolve/own-mounts.js';
import { splitShortSpec } from '../compose/view.js';
import { unsafeHostPath } from '../compose/paths.js';
import { localBindDevice } from '../resolve/backends.js';

const LEVELS: readonly Level[] = ['none', 'container', 'host'];
const DECLARATION_KEYS = new Set(['driver', 'driver_opts', 'labels']);
const MOUNT_KEYS = new Set(['type', 'source', 'target', 'read_only', 'volume', 'bind', 'tmpfs']);

/**
 * The kinds of generated entry the checks below know. A kind added later (src/entries/) is
 * refused in a user pattern's output until its check is written here: what it could add is
 * not known to be safe.
 */
const CHECKED_KINDS: ReadonlySet<string> = new Set(['volumes', 'volumes_from', 'depends_on', 'set', 'services', 'top_volumes']);

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const isHostPath = (s: string): boolean => /^[./~$]/.test(s);

/** The problems of one rendered fragment (empty: it keeps to the rules). */
export function userFragmentProblems(f: Fragment, plan: ServicePlan): string[] {
  const out: string[] = [];
  const own = new Set(plan.volumes.map((v) => v.name));
  if (Object.keys(f.services).length) out.push(`adds the services ${Object.keys(f.services).join(', ')}: a user pattern adds no services (sidecar and init services are the built-in data-container and bind patterns')`);
  if (Object.keys(f.dependsOn).length) out.push('sets depends_on: a user pattern adds no services to depend on');
  if (f.volumesFrom.length) out.push("sets volumes_from: a user pattern mounts its own volumes, not another service's");
  for (const [k, v] of Object.entries(f.set)) {
    if (k !== 'deploy') out.push(`sets ${k}: on the service; a user pattern may set only deploy.placement`);
    else for (const d of Object.keys(obj(v))) if (d !== 'placement') out.push(`sets deploy.${d}: on the service; a user pattern may set only deploy.placement`);
  }
  const host = (path: string, what: string): void => {
    const unsafe = unsafeHostPath(path, what);
    if (unsafe) out.push(`mounts a host path: ${unsafe} (a template is held to safe-paths: true)`);
  };
  for (const v of f.volumes) {
    if (typeof v === 'string') {
      const parts = splitShortSpec(v);
      const source = parts.length > 1 ? parts[0]! : '';
      if (source && isHostPath(source)) host(source, 'the bind source');
      else if (source && !own.has(source)) out.push(`mounts the volume ${JSON.stringify(source)}, which is not one of its plan's volumes (${[...own].join(', ') || 'none'})`);
      continue;
    }
    const m = obj(v);
    for (const k of Object.keys(m)) if (!MOUNT_KEYS.has(k)) out.push(`writes ${k}: in a mount; a mount holds ${[...MOUNT_KEYS].join(', ')}`);
    const source = typeof m.source === 'string' ? m.source : '';
    if (m.type === 'bind') host(source, 'the bind source');
    else if (m.type === 'volume') {
      if (source && !own.has(source)) out.push(`mounts the volume ${JSON.stringify(source)}, which is not one of its plan's volumes (${[...own].join(', ') || 'none'})`);
    } else if (m.type !== 'tmpfs') out.push(`writes a mount of type ${JSON.stringify(m.type)}; a template mounts volume, bind or tmpfs`);
  }
  for (const [name, decl] of Object.entries(f.topVolumes)) {
    if (!own.has(name)) out.push(`declares the top-level volume ${JSON.stringify(name)}, which is not one of its plan's volumes (${[...own].join(', ') || 'none'})`);
    const d = obj(decl);
    for (const k of Object.keys(d)) if (!DECLARATION_KEYS.has(k)) out.push(`writes ${k}: in the declaration of volume ${name}; a template may write ${[...DECLARATION_KEYS].join(', ')}`);
    const opts = Object.fromEntries(Object.entries(obj(d.driver_opts)).map(([k, x]) => [k, String(x)]));
    const device = localBindDevice(d.driver === undefined ? 'local' : String(d.driver), opts);
    if (device !== undefined) host(device, `the local driver's bind device of volume ${name}`);
  }
  for (const key of keysWritten(f)) if (!CHECKED_KINDS.has(key)) out.push(`writes ${key}:, which a user pattern may not (only the built-in patterns write it)`);
  return out;
}

/** The level the fragment's mounts really give: its weakest mount's (none when it mounts nothing). */
export function fragmentLevel(f: Fragment): Level {
  const mounts = ownMounts({ volumes: f.volumes } as Parameters<typeof ownMounts>[0], f.topVolumes);
  if (!mounts.length) return 'none';
  return mounts.reduce<Level>((low, m) => (LEVELS.indexOf(m.level) < LEVELS.indexOf(low) ? m.level : low), 'host');
}

export const levelAbove = (a: Level, b: Level): boolean => LEVELS.indexOf(a) > LEVELS.indexOf(b);
