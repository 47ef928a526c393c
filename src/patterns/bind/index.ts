/**
 * Pattern bind (seed: Host Mapped Volume): a host directory per mount; with
 * owner:, a one-shot init service sets its uid:gid.
 */
import type { BuiltinPattern, PatternPlan } from '../types.js';

export const bind: BuiltinPattern = {
  name: 'bind', seedName: 'Host Mapped Volume', level: 'container', needsMounts: true,
  summary: 'a host directory per mount; owner: runs a one-shot init service that sets uid:gid',
  keys: ['mounts', 'owner', 'image', 'node'], mountKeys: ['source', 'name', 'read_only', 'owner'], swarm: 'needs-node',
  keepNotNeeded: 'a bind directory already survives down -v',
  resolveMount(ctx) {
    const given = ctx.input.source;
    const source = ctx.hostDirectory(given ?? `./data/${ctx.name}`, [...ctx.path, 'source'], given !== undefined ? [...ctx.path, 'source'] : ctx.path);
    const owner = ctx.input.owner ?? ctx.serviceInput.owner;
    return { source, ...(owner !== undefined ? { owner } : {}) };
  },
  plan(s, ctx): PatternPlan {
    const binds = s.mounts.map((m) => ({ source: m.source!, target: m.target, readOnly: m.readOnly, initTarget: `/mnt/${m.name}` }));
    const generated = s.mounts.map((m) => `bind ${m.source} -> ${m.target}${m.readOnly ? ' (read-only)' : ''}`);
    if (!s.owner) return { binds, generated };
    const init = { name: `${s.service}-init`, image: s.image, owner: s.owner, ...ctx.profiles };
    generated.push(
      !ctx.facts.ordersStartup
        ? `init task ${init.name} runs chown -R ${init.owner} (Swarm does not order services: ${s.service} restarts until it has run)`
        : `init service ${init.name} runs chown -R ${init.owner} once before ${s.service} starts`,
    );
    return { binds, init, generated };
  },
};
