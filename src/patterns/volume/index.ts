/** Pattern volume (seed: Data Volumes): a named volume per mount. */
import type { BuiltinPattern } from '../types.js';

export const volume: BuiltinPattern = {
  name: 'volume', seedName: 'Data Volumes', level: 'container', needsMounts: true,
  summary: 'a named volume per mount, declared under top-level volumes:',
  keys: ['mounts', 'node'], mountKeys: ['name', 'read_only'], swarm: 'per-node', keepable: true,
};
