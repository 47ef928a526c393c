/** Pattern data-container (seed: Data Only Container): a sidecar owns the named volumes. */
import type { BuiltinPattern } from '../types.js';

/** The sidecar's service name (init checks that the file does not use it already). */
export const sidecarName = (service: string): string => `${service}-data`;

export const dataContainer: BuiltinPattern = {
  name: 'data-container', seedName: 'Data Only Container', level: 'container', needsMounts: true,
  summary: 'a sidecar service that owns named volumes; the service mounts them with volumes_from',
  keys: ['mounts', 'image'], mountKeys: ['name', 'read_only'], swarm: 'refused', keepable: true,
  sidecarName,
  plan(s, ctx) {
    const { volumes, generated } = ctx.namedVolumes();
    const sidecar = { name: sidecarName(s.service), image: s.image, ...ctx.profiles };
    generated.push(`sidecar service ${sidecar.name} (${sidecar.image}) owning the volumes; volumes_from + depends_on`);
    return { volumes, sidecar, generated };
  },
};
