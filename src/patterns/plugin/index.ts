/**
 * Pattern plugin (seed: Convoy Volume Plugin): a named volume of a volume driver.
 * A mount's own options: are the plugin back-end kind's (resolve/backends.ts checks them).
 */
import type { BuiltinPattern } from '../types.js';

export const plugin: BuiltinPattern<'plugin'> = {
  name: 'plugin', seedName: 'Convoy Volume Plugin', level: 'backend', needsMounts: true, backend: 'plugin',
  backendNeeds: 'a back-end of type plugin',
  summary: 'a named volume of a volume driver (Convoy, REX-Ray, Flocker or any other) with its options',
  keys: ['mounts', 'backend', 'driver', 'driver_opts'], mountKeys: ['name', 'options', 'read_only'], swarm: 'ok', keepable: true,
};
