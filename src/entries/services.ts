/** `services`: new services (sidecars, init services), added under the top-level services:. */
import { asMapping } from '../yaml/plain.js';
import type { TopEntryKind } from './types.js';

export const services: TopEntryKind<'services', Record<string, Record<string, unknown>>> = {
  key: 'services',
  field: 'services',
  read: (rendered) => asMapping(rendered) as Record<string, Record<string, unknown>>,
  combine: (first, second) => ({ ...first, ...second }),
  // Names were checked for collisions by the plan stage. An empty `services:` is written as a
  // mapping, generated services or not (Compose wants one).
  top: { key: 'services', always: true },
  userProblems: (added) => (Object.keys(added).length ? [`adds the services ${Object.keys(added).join(', ')}: a user pattern adds no services (sidecar and init services are the built-in data-container and bind patterns')`] : []),
};
