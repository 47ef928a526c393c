/** Pattern shared (seed: Host Mapped Volume backed by Shared Storage): a volume on NFS, CIFS or a shared host path. */
import type { BuiltinPattern } from '../types.js';

export const shared: BuiltinPattern<'shared'> = {
  name: 'shared', seedName: 'Host Mapped Volume backed by Shared Storage', level: 'host', needsMounts: true, backend: 'shared',
  backendNeeds: 'nfs, cifs or hostpath',
  summary: 'a volume on shared storage (NFS, CIFS, or a host path that is a shared mount)',
  keys: ['mounts', 'backend'], mountKeys: ['name', 'path', 'read_only'], swarm: 'ok', keepable: true,
  resolveMount(ctx) {
    // The mount's directory under the back-end's root.
    const sub = ctx.input.path ?? ctx.name;
    const subProblem = sub === '.' ? undefined : ctx.pathProblem(sub);
    if (subProblem || sub.split('/').includes('..')) {
      ctx.fail({ code: 'BAD_PATH', path: [...ctx.path, 'path'], message: `path ${JSON.stringify(sub)} must be a relative directory under the back-end's root without "..": ${subProblem ?? 'it climbs out of the share'}` });
    }
    return { subPath: sub };
  },
};
