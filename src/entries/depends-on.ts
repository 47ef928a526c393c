/**
 * `depends_on`: services the service waits for, with their conditions (long form), merged
 * into its depends_on:; a short (list) form there is turned into the long one first.
 */
import { asMapping } from '../yaml/plain.js';
import type { ServiceEntryKind } from './types.js';

/** depends_on in the long form: a short list keeps its meaning as `condition: service_started`. */
export function dependsOnMapping(current: unknown): Record<string, unknown> {
  return Array.isArray(current) ? Object.fromEntries(current.map((s) => [String(s), { condition: 'service_started' }])) : { ...asMapping(current) };
}

export const dependsOn: ServiceEntryKind<'dependsOn', Record<string, { condition: string }>> = {
  key: 'depends_on',
  field: 'dependsOn',
  read: (rendered) => asMapping(rendered) as Record<string, { condition: string }>,
  combine: (first, second) => ({ ...first, ...second }),
  change: (entries) => (Object.keys(entries).length ? { op: 'mergeInto', key: 'depends_on', entries, asMapping: dependsOnMapping } : undefined),
  userProblems: (entries) => (Object.keys(entries).length ? ['sets depends_on: a user pattern adds no services to depend on'] : []),
};
