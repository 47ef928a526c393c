/** Path rules shared by mounts, bind sources and back-end roots. */

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
  const clean = seg.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return clean || 'root';
}

/**
 * Compose's short syntax reads a source that does not start with ".", "/" or
 * "~" as a volume name: "data/x" would silently become a named volume.
 */
export function normaliseBindSource(source: string): string {
  return /^([./~]|\$\{)/.test(source) ? source : `./${source}`;
}

const SENSITIVE = ['/etc', '/proc', '/sys', '/dev', '/boot', '/root', '/var/run/docker.sock', '/run/docker.sock', '/var/lib/docker'];

export interface BindSourceCheck {
  error?: string;
  unsafe?: string;
}

export function checkBindSource(source: string): BindSourceCheck {
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(source)) return { error: `bind source ${JSON.stringify(source)} holds a control character or line break` };
  if (source.includes(':')) return { error: `bind source ${JSON.stringify(source)} holds ":", which Compose reads as a separator` };
  const norm = source.replace(/\/+$/, '') || '/';
  if (norm === '/') return { unsafe: 'bind source "/" exposes the whole host file system to the container' };
  const hit = SENSITIVE.find((s) => norm === s || norm.startsWith(`${s}/`));
  if (hit) return { unsafe: `bind source "${source}" points at the sensitive host location ${hit}` };
  if (source.startsWith('.') && escapesProject(source)) return { unsafe: `bind source "${source}" leaves the project directory` };
  return {};
}

function escapesProject(rel: string): boolean {
  let depth = 0;
  for (const seg of rel.split('/')) {
    if (seg === '..') depth--;
    else if (seg !== '.' && seg !== '') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/** Whether a mount at `mount` holds `path` (the same directory or one below it). */
export const covers = (mount: string, path: string): boolean => path === mount || path.startsWith(`${mount}/`);
