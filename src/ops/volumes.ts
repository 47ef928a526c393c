/**
 * `volumes create`: the external volumes of kept mounts (keep: true), which
 * Compose never creates, made with the driver, options and labels the plan
 * gives them. Idempotent: an existing volume with the same driver and options
 * is left alone; one with other options is an error (its data is not touched).
 */
import type { Engine } from '../engine/engine.js';
import type { Plan } from '../model.js';

export interface KeptVolume {
  /** The fixed engine name. */
  name: string;
  driver: string;
  options: Record<string, string>;
  labels: Record<string, string>;
  /** Services whose mounts use it. */
  services: string[];
}

export const LABEL_PREFIX = 'dev.compose-persist';

/** The labels of a kept volume (Compose never creates it, so it carries ours, not Compose's). */
export function keptLabels(project: string, key: string): Record<string, string> {
  return { [`${LABEL_PREFIX}.kept`]: 'true', [`${LABEL_PREFIX}.project`]: project, [`${LABEL_PREFIX}.volume`]: key };
}

/** The kept volumes of a plan, one per engine name (two mounts may share one). */
export function keptVolumes(plan: Plan, project: string): { volumes: KeptVolume[]; errors: string[] } {
  const byName = new Map<string, KeptVolume>();
  const errors: string[] = [];
  for (const s of plan.services) {
    for (const v of s.volumes) {
      if (v.external === undefined) continue;
      const want: KeptVolume = {
        name: v.external,
        driver: v.driver?.driver ?? 'local',
        options: { ...(v.driver?.driverOpts ?? {}) },
        labels: keptLabels(project, v.name),
        services: [s.service],
      };
      const seen = byName.get(want.name);
      if (!seen) byName.set(want.name, want);
      else if (seen.driver !== want.driver || !sameOptions(seen.options, want.options)) errors.push(`kept volume ${want.name} is given two different drivers or options (services ${seen.services.join(', ')} and ${s.service})`);
      else if (!seen.services.includes(s.service)) seen.services.push(s.service);
    }
  }
  return { volumes: [...byName.values()], errors };
}

export function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** What `docker volume inspect` says about a volume, or undefined when it does not exist. */
export interface VolumeInfo {
  name: string;
  driver: string;
  options: Record<string, string>;
  labels: Record<string, string>;
  mountpoint?: string;
}

export async function inspectVolume(engine: Engine, name: string, signal?: AbortSignal): Promise<VolumeInfo | undefined | { error: string }> {
  const r = await engine.docker(['volume', 'inspect', '--format', '{{json .}}', name], signal ? { signal } : {});
  if (r.code !== 0) {
    if (/no such volume/i.test(r.stderr)) return undefined;
    return { error: oneLine(r.stderr) || `docker volume inspect ${name} failed (exit ${r.code})` };
  }
  try {
    const v = JSON.parse(r.stdout) as { Name?: string; Driver?: string; Options?: Record<string, string> | null; Labels?: Record<string, string> | null; Mountpoint?: string };
    return { name: v.Name ?? name, driver: v.Driver ?? 'local', options: v.Options ?? {}, labels: v.Labels ?? {}, ...(v.Mountpoint ? { mountpoint: v.Mountpoint } : {}) };
  } catch {
    return { error: `docker volume inspect ${name} answered something that is not JSON` };
  }
}

/** Creates a volume with exactly these driver, options and labels. */
export async function createVolume(engine: Engine, v: { name: string; driver: string; options: Record<string, string>; labels: Record<string, string> }, signal?: AbortSignal): Promise<string | undefined> {
  const args = ['volume', 'create', '--driver', v.driver];
  for (const [k, val] of Object.entries(v.options)) args.push('--opt', `${k}=${val}`);
  for (const [k, val] of Object.entries(v.labels)) args.push('--label', `${k}=${val}`);
  args.push(v.name);
  const r = await engine.docker(args, signal ? { signal } : {});
  return r.code === 0 ? undefined : `cannot create volume ${v.name}: ${oneLine(r.stderr) || `exit ${r.code}`}`;
}

export interface VolumesCreateLine {
  volume: string;
  status: 'created' | 'exists' | 'would-create' | 'differs' | 'failed';
  message: string;
}

export interface VolumesCreateResult {
  lines: VolumesCreateLine[];
  ok: boolean;
}

/** Creates every missing kept volume; `dryRun` only says what it would do. */
export async function volumesCreate(engine: Engine, plan: Plan, project: string, options: { dryRun?: boolean; signal?: AbortSignal } = {}): Promise<VolumesCreateResult> {
  const { volumes, errors } = keptVolumes(plan, project);
  const lines: VolumesCreateLine[] = errors.map((e) => ({ volume: '-', status: 'failed', message: e }));
  for (const v of volumes) {
    const found = await inspectVolume(engine, v.name, options.signal);
    const desc = `${v.driver}${Object.keys(v.options).length ? ` ${Object.entries(v.options).map(([k, val]) => `${k}=${val}`).join(',')}` : ''}`;
    if (found && 'error' in found) {
      lines.push({ volume: v.name, status: 'failed', message: found.error });
    } else if (found) {
      if (found.driver !== v.driver || !sameOptions(found.options, v.options)) {
        const had = `${found.driver}${Object.keys(found.options).length ? ` ${Object.entries(found.options).map(([k, val]) => `${k}=${val}`).join(',')}` : ''}`;
        lines.push({ volume: v.name, status: 'differs', message: `volume ${v.name} exists with driver ${had}, but the file asks for ${desc}; it is left as it is (to change it: copy its data out, docker volume rm ${v.name}, then run volumes create again and copy the data back)` });
      } else lines.push({ volume: v.name, status: 'exists', message: `volume ${v.name} exists (${desc})` });
    } else if (options.dryRun) {
      lines.push({ volume: v.name, status: 'would-create', message: `would create volume ${v.name} (${desc}) for ${v.services.join(', ')}` });
    } else {
      const err = await createVolume(engine, v, options.signal);
      lines.push(err ? { volume: v.name, status: 'failed', message: err } : { volume: v.name, status: 'created', message: `created volume ${v.name} (${desc}) for ${v.services.join(', ')}` });
    }
  }
  return { lines, ok: lines.every((l) => l.status === 'created' || l.status === 'exists' || l.status === 'would-create') };
}

/** The last meaningful line of a tool's error output. */
export function oneLine(text: string): string {
  // The Docker CLI ends a failed run with "Run 'docker run --help' for more information" (or
  // "See 'docker run --help'."): the engine's reason is the line before it.
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^(Run|See) 'docker [a-z -]*--help'/.test(l));
  return (lines.pop() ?? '').replace(/^(docker: )?Error( response from daemon)?:\s*/i, '');
}
