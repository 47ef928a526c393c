/**
 * What each target means for the stages below check/ (resolve, plan, render, emit, ops
 * and the CLI), as data: they ask targetFacts(name) and never compare the name
 * (test/unit/targets.test.ts checks that). The check stage's target objects
 * (check/targets.ts, check/swarm.ts) are built on these same facts and add the
 * source rules, the conversion and the output check, so one place states what
 * Swarm means. A leaf module, so every stage may import it.
 */
import type { Target } from '../model.js';

export interface TargetFacts {
  name: Target;
  /** build's target without --target: the output's header and a rebuild command do not name it. */
  isDefault: boolean;
  /**
   * Services run as tasks the orchestrator places on any node of a cluster (Swarm), so data
   * on one node's disk (a local volume, a bind) does not follow a rescheduled task: it does
   * not carry the container level unless the service is pinned to a node. node: pins it (a
   * placement constraint), and a pattern's `swarm:` row (SwarmSupport) says how it fares.
   */
  schedulesAcrossNodes: boolean;
  /**
   * The deployer starts services in depends_on order, so a one-shot init service runs before
   * its service (Swarm ignores depends_on: tasks start in any order).
   */
  ordersStartup: boolean;
  /** What a message adds after a level to say it holds on this target ('' where that goes without saying). */
  levelQualifier: string;
  /** The flags a pattern's template gets besides the plan (`{{#if swarm}}`). */
  templateFlags: { swarm: boolean };
}

const FACTS: Readonly<Record<Target, TargetFacts>> = {
  compose: { name: 'compose', isDefault: true, schedulesAcrossNodes: false, ordersStartup: true, levelQualifier: '', templateFlags: { swarm: false } },
  swarm: { name: 'swarm', isDefault: false, schedulesAcrossNodes: true, ordersStartup: false, levelQualifier: ' on Swarm', templateFlags: { swarm: true } },
};

export const targetFacts = (name: Target): TargetFacts => FACTS[name];
