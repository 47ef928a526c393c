/**
 * The targets, one object each (as kompose keeps one transformer per target):
 * what the target refuses in the source, how the merged output is converted for
 * it (the version it needs, the entries it drops), and the check of the
 * converted output. The pipeline and the printers ask the object; none of them
 * tests the target's name. Each object is built on the target's facts
 * (compose/target-facts.ts), which the stages below check/ ask instead.
 */
import type { Diagnostic, YamlPath } from '../diagnostics.js';
import type { Target } from '../model.js';
import type { ComposeView } from '../compose/view.js';
import { targetFacts, type TargetFacts } from '../compose/target-facts.js';
import { swarmTarget } from './swarm.js';

type Obj = Record<string, unknown>;

/** The merged output as one target gets it, and what the printers must do to the text for it. */
export interface TargetOutput {
  /** The output data (what every printed text must read back as). */
  output: Obj;
  /** The top-level `version:` the printers write (first, or in place of the file's own). */
  version?: string;
  /** Entries left out (paths into the output before conversion): the printers cut them too. */
  drop: YamlPath[];
  /** Whether the conversion changed anything (a file already in the target's form passes through as written). */
  changed: boolean;
  diagnostics: Diagnostic[];
}

/** The target's facts (what the stages before check/ ask), with what the check stage does for it. */
export interface OutputTarget extends TargetFacts {
  /**
   * A file without a block is output for this target too: converted and checked (Swarm: a
   * stack file like any other). Otherwise it passes through as written.
   */
  convertsPlainFiles: boolean;
  /** Rules on the source that the target's deployer would refuse, with the reason in its terms. */
  check(view: ComposeView, file: string): Diagnostic[];
  /** The conversions that keep the file's meaning on the target. */
  convert(merged: Obj, file: string): TargetOutput;
  /** The converted output against the target's own file format (leaving out places `reported` covers). */
  checkOutput(output: Obj, file: string, reported: readonly Diagnostic[]): Diagnostic[];
}

/** Compose: the output is the merged data as it is. */
export const composeTarget: OutputTarget = {
  ...targetFacts('compose'),
  convertsPlainFiles: false,
  check: () => [],
  convert: (merged) => ({ output: merged, drop: [], changed: false, diagnostics: [] }),
  checkOutput: () => [],
};

const TARGETS: Readonly<Record<Target, OutputTarget>> = { compose: composeTarget, swarm: swarmTarget };

export const outputTarget = (name: Target): OutputTarget => TARGETS[name];
