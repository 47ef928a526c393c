/**
 * Stage 7c, Swarm: what `docker stack deploy` refuses or drops, caught here
 * with the user's line instead of at deploy time (REFERENCE.md, Swarm).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ComposeView } from '../resolve/compose-view.js';

/** Service keys the stack loader refuses outright. */
const REFUSED: Record<string, string> = {
  volumes_from: 'Swarm has no volumes_from; use a named volume or pattern shared',
  extends: 'docker stack deploy does not support extends; flatten the service (docker compose config) first',
  volume_driver: 'volume_driver is not supported by Swarm; declare the driver on a top-level volume (pattern plugin)',
  build: 'docker stack deploy ignores build:; push an image and name it in image:',
};

export function checkSwarm(view: ComposeView, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, svc] of Object.entries(view.services)) {
    for (const [key, why] of Object.entries(REFUSED)) {
      if (!(key in svc)) continue;
      out.push({
        code: 'SWARM_UNSUPPORTED', severity: key === 'build' ? 'warning' : 'error', file, path: ['services', name, key],
        message: `service "${name}" uses ${key}:, which docker stack deploy refuses: ${why}`,
      });
    }
    if (svc.depends_on && !Array.isArray(svc.depends_on)) {
      out.push({
        code: 'SWARM_UNSUPPORTED', severity: 'error', file, path: ['services', name, 'depends_on'],
        message: `service "${name}" has depends_on in the long (mapping) form, which the stack file schema refuses; Swarm ignores depends_on anyway`,
        hint: 'write it as a list, or leave it out of the Swarm file',
      });
    }
    for (const [i, v] of (Array.isArray(svc.volumes) ? svc.volumes : []).entries()) {
      const bind = v && typeof v === 'object' ? (v as { bind?: Record<string, unknown> }).bind : undefined;
      for (const k of ['create_host_path', 'selinux']) {
        if (bind && k in bind) {
          out.push({ code: 'SWARM_UNSUPPORTED', severity: 'warning', file, path: ['services', name, 'volumes', i, 'bind', k], message: `bind.${k} is dropped by docker stack deploy; on Swarm the source must already exist on the node` });
        }
      }
    }
  }
  for (const key of ['include', 'name']) {
    if (key in view.raw) out.push({ code: 'SWARM_UNSUPPORTED', severity: 'error', file, path: [key], message: `top-level ${key}: is not part of the stack file format docker stack deploy reads` });
  }
  return out;
}
