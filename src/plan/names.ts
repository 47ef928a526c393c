/**
 * Generated names are a compatibility promise: a renamed volume is an empty
 * volume. Names depend only on (service, target) or the mount's own name:,
 * so a clash is an error to be settled by the user, never a silent rename.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ServicePlan } from '../model.js';
import type { ComposeView } from '../resolve/compose-view.js';

export function checkNames(plans: readonly ServicePlan[], compose: ComposeView, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const volumes = new Map<string, string>();
  const services = new Map<string, string>();
  for (const name of Object.keys(compose.volumes)) volumes.set(name, 'declared under the top-level volumes:');
  for (const name of Object.keys(compose.services)) services.set(name, 'the name of a service under services:');

  for (const p of plans) {
    p.volumes.forEach((v, i) => {
      const other = volumes.get(v.name);
      if (other) {
        diagnostics.push({
          code: 'NAME_COLLISION', severity: 'error', file, path: [...p.path, 'mounts', i],
          message: `${v.nameGiven ? 'the volume name' : 'the generated volume name'} "${v.name}" (service ${p.service}, ${v.target}) is taken: it is ${other}`,
          hint: v.nameGiven ? 'choose another name: for this mount' : 'give this mount its own name: (names are never changed silently, since a renamed volume starts empty)',
        });
      } else volumes.set(v.name, `also the volume of service ${p.service} at ${v.target}`);
    });
    for (const extra of [p.sidecar?.name, p.init?.name]) {
      if (!extra) continue;
      const other = services.get(extra);
      if (other) {
        diagnostics.push({
          code: 'NAME_COLLISION', severity: 'error', file, path: [...p.path, 'pattern'],
          message: `the generated service "${extra}" would collide with an existing one: "${extra}" is ${other}`,
          hint: 'rename the existing service; generated services are named <service>-data and <service>-init',
        });
      } else services.set(extra, `also generated for service ${p.service}`);
    }
  }
  return diagnostics;
}
