/** `volumes`: mount entries (long or short form, as rendered), appended to the service's volumes:. */
import type { ServiceEntryKind } from './types.js';

export const volumes: ServiceEntryKind<'volumes', unknown[]> = {
  key: 'volumes',
  field: 'volumes',
  read: (rendered) => (Array.isArray(rendered) ? rendered : []),
  combine: (first, second) => [...first, ...second],
  change: (items) => (items.length ? { op: 'append', key: 'volumes', items } : undefined),
};
