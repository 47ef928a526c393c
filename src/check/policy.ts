/**
 * Stage 7b, policy: the required level, per target. It applies to every
 * service given a storage pattern; `none` is an explicit choice, checked
 * against the image catalog instead (check/stateful.ts: STATEFUL_NONE).
 */
import type { Diagnostic } from '../diagnostics.js';
import { levelRank, type Plan, type ResolvedSpec } from '../model.js';
import { targetFacts } from '../compose/target-facts.js';
import { NONE_PATTERN } from '../patterns/index.js';

export function checkPolicy(spec: ResolvedSpec, plan: Plan): Diagnostic[] {
  const required = spec.require;
  if (!required) return [];
  return plan.services
    .filter((s) => s.pattern !== NONE_PATTERN && levelRank(s.level) < levelRank(required))
    .map((s) => ({
      code: 'LEVEL_BELOW_REQUIRED' as const,
      severity: 'error' as const,
      file: spec.file,
      path: [...s.path, 'pattern'],
      message: `service "${s.service}" ends at level ${s.level} with pattern ${s.pattern}${targetFacts(plan.target).levelQualifier}, below the required level ${required}`,
      hint: required === 'host' ? 'use pattern shared or plugin' : 'use pattern volume, bind, shared or plugin',
    }));
}
