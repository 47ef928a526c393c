/** `top_volumes`: declarations of the volumes the service mounts, added under the top-level volumes:. */
import { asMapping } from '../yaml/plain.js';
import type { TopEntryKind } from './types.js';

export const topVolumes: TopEntryKind<'topVolumes', Record<string, Record<string, unknown>>> = {
  key: 'top_volumes',
  field: 'topVolumes',
  read: (rendered) => asMapping(rendered) as Record<string, Record<string, unknown>>,
  combine: (first, second) => ({ ...first, ...second }),
  // A volume several services share (the same name:) is declared once.
  top: { key: 'volumes', once: true },
};
