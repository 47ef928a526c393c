/** Path rules shared by mounts, bind sources and back-end roots. */
import { interpolate } from './interpolate.js';
import { trimOf } from '../strings.js';
import type { OptionValue } from '../model.js';

/** Characters that would break Compose's short volume syntax or a YAML line. */
export function pathProblem(p: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(p)) return 'holds a control character or line break';
  if (p.includes(':')) return 'holds ":", which Compose reads as a separator in volume specs';
  if (p.split('/').includes('..')) return 'holds a ".." segment';
  return undefined;
}

/** `/var/lib/postgresql/data` -> `data`; anything outside [A-Za-z0-9_.-] becomes "-". */
export function lastSegmentName(target: string): string {
  const seg = target.split('/').filter(Boolean).pop() ?? 'root';
  const clean = trimOf(seg.replace(/[^A-Za-z0-9_.-]+/g, '-'), '-.');
  return clean || 'root';
}

/**
 * Compose's short syntax reads a source that does not start with ".", "/" or
 * "~" as a volume name: "data/x" would silently become a named volume.
 */
export function normaliseBindSource(source: string): string {
  return /^([./~]|\$\{)/.test(source) ? source : `./${source}`;
}

/** Host locations a container must not get: these, anything below them, and anything above them (`/var` holds `/var/run/docker.sock`). */
const SENSITIVE = ['/etc', '/proc', '/sys', '/dev', '/boot', '/root', '/var/run/docker.sock', '/run/docker.sock', '/var/lib/docker'];

export interface BindSourceCheck {
  error?: string;
  unsafe?: string;
}

export function checkBindSource(source: string): BindSourceCheck {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(source)) return { error: `bind source ${JSON.stringify(source)} holds a control character or line break` };
  // Compose interpolates before it reads a volume spec: read as it does with the variables unset
  // (${DIR:-./pg} is ./pg; a default that holds ':' is still one).
  if (interpolateUnset(source).includes(':')) return { error: `bind source ${JSON.stringify(source)} holds ":", which Compose reads as a separator` };
  const unsafe = unsafeHostPath(source, 'bind source');
  return unsafe ? { unsafe } : {};
}

/**
 * Why a host path the output mounts is unsafe, or undefined. The path is
 * checked as the engine will see it: segments normalised (`//etc`,
 * `/tmp/../etc`), and with Compose's interpolation applied the way it is
 * when the variables are unset (`${X-/}`, `${X:-/etc}` give their default,
 * `${X}` gives ""), since that is the value nobody has to set.
 */
export function unsafeHostPath(path: string, what: string): string | undefined {
  const expanded = interpolateUnset(path);
  const why = unsafeReason(expanded);
  if (!why) return undefined;
  const shown = expanded === path ? '' : ` (${JSON.stringify(expanded)} with its variables unset)`;
  return `${what} ${JSON.stringify(path)}${shown} ${why}`;
}

function unsafeReason(path: string): string | undefined {
  if (path.startsWith('/')) {
    const norm = normaliseAbsolute(path);
    if (norm === '/') return 'exposes the whole host file system to the container';
    const inside = SENSITIVE.find((s) => norm === s || norm.startsWith(`${s}/`));
    if (inside) return `points at the sensitive host location ${inside}`;
    const above = SENSITIVE.find((s) => s.startsWith(`${norm}/`));
    if (above) return `holds the sensitive host location ${above}`;
    return undefined;
  }
  if (path === '~' || path.startsWith('~/')) return climbs(path.slice(1)) ? 'leaves the home directory (~)' : undefined;
  if (path.startsWith('.') && climbs(path)) return 'leaves the project directory';
  return undefined;
}

/** `//etc/./x/../y/` -> `/etc/y`; `..` above the root stays at the root, as in the kernel. */
function normaliseAbsolute(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Whether a relative path climbs above its start at any point. */
function climbs(rel: string): boolean {
  let depth = 0;
  for (const seg of rel.split('/')) {
    if (seg === '..') depth--;
    else if (seg !== '.' && seg !== '') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * Compose's interpolation with every variable unset: `${X-d}`, `${X:-d}` give
 * d, `${X+a}`, `${X:+a}`, `${X}`, `${X:?e}` and `$X` give "" (innermost
 * first, so nested defaults work); `$$` is a literal "$".
 */
export function interpolateUnset(text: string): string {
  // The one interpolation (interpolate.ts), with every variable unset.
  return text.includes('$') ? interpolate(text, {}).value : text;
}

/** Whether a mount at `mount` holds `path` (the same directory or one below it). */
export const covers = (mount: string, path: string): boolean => path === mount || path.startsWith(`${mount}/`);

/** The host directory a local-driver volume binds (`o: bind` or `type: none`), if it binds one. */
export function localBindDevice(driver: string | undefined, options: Readonly<Record<string, OptionValue>>): string | undefined {
  if (driver !== 'local' || options.device === undefined) return undefined;
  const o = options.o === undefined ? [] : String(options.o).split(',').map((x) => x.trim());
  return o.includes('bind') || o.includes('rbind') || String(options.type ?? '') === 'none' ? String(options.device) : undefined;
}
