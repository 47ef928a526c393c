/** Pattern none (seed: Default): nothing added; the service says why (reason:). */
import type { BuiltinPattern } from '../types.js';

export const none: BuiltinPattern = {
  name: 'none', seedName: 'Default', level: 'none', needsMounts: false,
  summary: 'nothing added: data in the container is lost when it is recreated',
  keys: ['reason'], mountKeys: [], swarm: 'ok',
  plan: () => ({ generated: [] }),
};
