/**
 * The pipeline: parse -> validate -> resolve -> plan -> render -> merge ->
 * check -> emit. Each stage returns diagnostics; the pipeline stops after the
 * first stage that reports an error, so nothing is emitted from bad input.
 */
import type { Document } from 'yaml';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import type { BlockInfo, Plan, Target } from './model.js';
import { parseSource, type SourceDoc, type SourceFile } from './parse/parse.js';
import { combineDocuments } from './parse/combine.js';
import { findBlock } from './validate/validate.js';
import { composeView, type ComposeView } from './compose/view.js';
import { resolve } from './resolve/resolve.js';
import { plan as makePlan } from './plan/plan.js';
import { patternTable } from './patterns/index.js';
import { loadUserPatterns, paramDiagnostics, patternsDirOf, type PatternSource } from './plan/user-patterns.js';
import { compileUserTemplate, renderPlans, renderUserPlans } from './render/render.js';
import type { Fragment } from './model.js';
import { applyEditsToData, planEdits, planTargetEdits, type Edit } from './merge/edits.js';
import { applyEditsToDocument, EditPathError } from './merge/document.js';
import { rehomeComments } from './merge/comments.js';
import { checkComposeSpec } from './check/compose-spec.js';
import { checkPolicy } from './check/policy.js';
import { outputTarget } from './check/targets.js';
import { checkStateful, unlistedServices, unlistedStateful } from './check/stateful.js';
import { emit } from './emit/emit.js';
import { spliceOutput } from './emit/splice.js';
import { readBack, type ReadBack } from './emit/read-back.js';
import { hasRelativePaths } from './emit/relative.js';
import { asMapping, toPlain } from './yaml/plain.js';
import { documentIndex } from './yaml/positions.js';
import { LineIndex } from './yaml/source-index.js';
import type { Variables } from './compose/interpolate.js';

export interface BuildOptions {
  target?: Target;
  /** Bind sources outside the project or at sensitive host paths are errors (as safe-paths: true). */
  safePaths?: boolean;
  /** Directory of user-defined patterns (overrides the block's patterns:). */
  patternsDir?: string;
  /** Reads a pattern directory: the caller's file system access (the CLI's). */
  loadPatterns?: (dir: string) => PatternSource[];
  /** Stop after planning: validate and explain need no output text. */
  planOnly?: boolean;
  /**
   * Starts the Compose schema check of the output and returns a function that gives its
   * diagnostics: the CLI runs it on a second thread for large files while the output is
   * written and read back. Default: checked at once, on this thread.
   */
  checkCompose?: (output: unknown, file: string) => () => Diagnostic[];
  /**
   * The fast reader and the spliced output where the file allows them (default true). Off:
   * yaml reads every file and its Document prints the output (the tests compare the two).
   */
  fast?: boolean;
  /**
   * Values for ${VAR} in image references (the CLI gives the environment over the project's
   * .env, as Compose does): read for catalog matching and its checks only; the output keeps
   * the text as written. Default: none set.
   */
  variables?: Variables;
}

export interface BuildResult {
  /** The generated Compose text; absent when there were errors or planOnly. */
  text?: string;
  plan?: Plan;
  /** Whether a persistence block was found (without one, the input passes through). */
  hasBlock: boolean;
  /** Whether the output holds relative paths (Compose resolves them against its directory). */
  relativePaths?: boolean;
  /**
   * How the output was made: `splice` (the source text with the generated entries inserted)
   * or `document` (yaml's Document edited and printed), with the reason splicing was not used.
   */
  printedBy?: { path: 'splice' } | { path: 'document'; why: string };
  /** The edits that made the output from the source (every printer applies the same list). */
  edits?: readonly Edit[];
  diagnostics: Diagnostic[];
  /** The directory user patterns were read from (build -o must not write into it). */
  patternsDir?: string;
}

interface Loaded {
  sources: SourceDoc[];
  block?: BlockInfo;
  blockSource?: SourceDoc;
}

function load(files: readonly SourceFile[], fast: boolean): { value?: Loaded; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceDoc[] = [];
  for (const f of files) {
    const r = parseSource(f, { fast });
    diagnostics.push(...r.diagnostics);
    if (r.value) sources.push(r.value);
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  let block: BlockInfo | undefined;
  let blockSource: SourceDoc | undefined;
  for (const src of sources) {
    const r = findBlock(src);
    diagnostics.push(...r.diagnostics);
    if (!r.value) continue;
    if (block) {
      diagnostics.push({
        code: 'BLOCK_IN_SEVERAL_FILES', severity: 'error', file: src.file, path: [r.value.key],
        ...src.positionOf([r.value.key], true),
        message: `a persistence block is already in ${block.file}; keep it in one of the -f files`,
      });
    } else {
      block = r.value;
      blockSource = src;
    }
  }
  return { value: { sources, block, blockSource }, diagnostics };
}

/** Diagnostics about a key itself (not its value) point at the key. */
const AT_KEY = new Set<Diagnostic['code']>(['SCHEMA_UNKNOWN_KEY', 'UNKNOWN_SERVICE', 'SCHEMA_REQUIRED', 'MISSING_BACKEND', 'SWARM_UNSUPPORTED', 'SWARM_STACK_INVALID', 'SWARM_CONVERTED']);

/** Fill line:col from the source that holds each diagnostic's path. */
function locate(diagnostics: Diagnostic[], sources: readonly SourceDoc[]): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.line !== undefined) return d;
    const src = sources.find((s) => s.file === d.file) ?? sources[0];
    const pos = src?.positionOf(d.path, AT_KEY.has(d.code));
    return pos ? { ...d, ...pos } : d;
  });
}

export function runBuild(files: readonly SourceFile[], options: BuildOptions = {}): BuildResult {
  const target = options.target ?? 'compose';
  const loaded = load(files, options.fast !== false);
  const diagnostics = [...loaded.diagnostics];
  let done = (extra: Partial<BuildResult> = {}): BuildResult => ({
    hasBlock: Boolean(loaded.value?.block),
    ...extra,
    diagnostics: sortDiagnostics(locate(diagnostics, loaded.value?.sources ?? [])),
  });
  if (!loaded.value || hasErrors(diagnostics)) return done();
  const { sources, block } = loaded.value;
  const first = sources[0]!;

  // One file: its data as read (yaml's Document is read only if the output must be printed from it).
  const combined: Document | undefined = sources.length > 1 ? combineDocuments(first.doc, sources.slice(1)) : undefined;
  const data = combined ? toPlain(combined) : first.data;
  const view: ComposeView = composeView(data);
  if (!block) {
    // No block: the input passes through unchanged (so build is idempotent on its own output),
    // but a stateful image left unpersisted is still worth a warning. For a target that
    // converts plain files (Swarm: a stack file like any other output) it is checked and converted.
    diagnostics.push(...checkStateful(view, undefined, undefined, first.file, options.variables));
    // explain audits a plain file: each service's own mounts, classified.
    const audit: Plan = { file: first.file, target, services: [], unlisted: unlistedServices(view, undefined, target, options.variables) };
    if (!outputTarget(target).convertsPlainFiles) {
      if (options.planOnly) return done({ plan: audit });
      const text = combined ? emit(combined, files.map((f) => f.file), target) : first.text;
      // Printed as it is, and read back like every output.
      if (!readBack(text).means(data)) diagnostics.push(internal(first.file, 'the output printed from the -f files does not read back as their merged data'));
      if (hasErrors(diagnostics)) return done({ plan: audit });
      return done({ plan: audit, text, relativePaths: hasRelativePaths(data) });
    }
    diagnostics.push(...outputTarget(target).check(view, first.file));
    if (hasErrors(diagnostics) || options.planOnly) return done({ plan: audit });
    return done({ plan: audit, ...print({ files, sources, combined, data, fragments: [], target, options, diagnostics }) });
  }

  const user = loadUserPatterns(block, options);
  diagnostics.push(...user.diagnostics);
  const patternsDir = patternsDirOf(block, options)?.dir;
  if (patternsDir !== undefined) {
    const inner = done;
    done = (extra: Partial<BuildResult> = {}): BuildResult => inner({ patternsDir, ...extra });
  }
  if (hasErrors(diagnostics)) return done();
  const patterns = patternTable(user.patterns.map((p) => p.def));

  const resolved = resolve(block, view, patterns, { safePaths: options.safePaths, variables: options.variables });
  diagnostics.push(...resolved.diagnostics);
  if (resolved.value) diagnostics.push(...paramDiagnostics(resolved.value, user.patterns));
  if (!resolved.value || hasErrors(diagnostics)) return done();

  const planned = makePlan(resolved.value, view, patterns, target);
  diagnostics.push(...planned.diagnostics);
  if (!planned.value) return done();
  // The services the block leaves out are classified by the check stage (check/stateful.ts, with
  // the warnings about them): its own output, joined to the plan explain prints, not patched into it.
  const audited: Plan = { ...planned.value, unlisted: unlistedStateful(view, planned.value, options.variables) };
  diagnostics.push(...checkPolicy(resolved.value, audited));
  diagnostics.push(...checkStateful(view, resolved.value, audited, first.file, options.variables));
  diagnostics.push(...outputTarget(target).check(view, first.file));
  if (hasErrors(diagnostics)) return done({ plan: audited });
  // User patterns are rendered and checked by validate too (their faults are the source's).
  const userTemplates = new Map(user.patterns.map((p) => [p.def.name, { file: p.file, render: compileUserTemplate(p.template) }]));
  const userRendered = renderUserPlans(audited.services, target, userTemplates, block.file);
  diagnostics.push(...userRendered.diagnostics);
  if (hasErrors(diagnostics) || options.planOnly) return done({ plan: audited });

  const fragments = renderPlans(audited.services, target, patterns, new Map(), new Set(Object.keys(view.volumes)), userRendered.fragments);
  return done({ plan: audited, ...print({ files, sources, combined, data, block, fragments, target, options, diagnostics }) });
}

interface PrintInput {
  files: readonly SourceFile[];
  sources: readonly SourceDoc[];
  combined?: Document;
  data: unknown;
  block?: BlockInfo;
  fragments: readonly Fragment[];
  target: Target;
  options: BuildOptions;
  /** The build's diagnostics so far; the checks of the output are added to it. */
  diagnostics: Diagnostic[];
}

/** The output: merged, checked (Compose, and the stack file schema for Swarm), and printed. */
function print({ files, sources, combined, data, block, fragments, target, options, diagnostics }: PrintInput): Partial<BuildResult> {
  const first = sources[0]!;
  // What the output is: one edit list, planned on what the source means and where it is written.
  // The merged data is that list applied to the source's data; each printer applies the same list.
  const source = { data, index: combined ? documentIndex(combined, LineIndex.ofText('')) : first.index };
  const mergeEdits = planEdits(source, block?.key, fragments);
  const merged = applyEditsToData(data, mergeEdits);
  // The target's conversion (Swarm: version:, long-form depends_on left out), as edits too, and its own check.
  const to = outputTarget(target);
  const converted = to.convert(merged, first.file);
  const retargeted = converted.drop.length > 0 || converted.version !== undefined;
  const edits = retargeted ? planTargetEdits(source, mergeEdits, converted.drop, converted.version) : mergeEdits;
  const output = retargeted ? applyEditsToData(data, edits) : merged;
  diagnostics.push(...locate(converted.diagnostics, sources));
  const file = block?.file ?? first.file;
  const composeCheck = options.checkCompose ?? checkNow;
  // The checks of what is printed, the target's own file format (Swarm: docker/cli's stack
  // schema) and the Compose schema, run on the data every printed text must read back as; a
  // text that reads back otherwise is checked again on its own data (below). The target's
  // first: when it refuses the output, nothing is printed at all.
  diagnostics.push(...locate(to.checkOutput(output, first.file, diagnostics), sources));
  if (hasErrors(diagnostics)) {
    // Nothing is printed; the Compose check still says what it would find.
    diagnostics.push(...locate(composeCheck(output, file)(), sources));
    return {};
  }
  const names = files.map((f) => f.file);
  const relativePaths = hasRelativePaths(output);
  let printed: { text: string; printedBy?: BuildResult['printedBy']; back: ReadBack } | undefined;
  // The Compose check of what is printed: started now on the output data (the CLI's runs on a
  // second thread while the text is spliced and read back). Every printed text must read back as
  // exactly this data, so on a text that does the check holds for what was read back; one that
  // does not is an error, and is checked itself (below), so its findings are the printed text's.
  let pending: (() => Diagnostic[]) | undefined = composeCheck(output, file);
  if (!block && !combined && !converted.changed) {
    // Without a block, a file already in the target's form passes through as written (build is idempotent on its output).
    printed = { text: first.text, back: readBack(first.text) };
  }
  // The source text with the edits spliced in, when the file allows it and the result reads
  // back as exactly the merged data; otherwise yaml's Document takes the same edits.
  let why: string | undefined;
  if (!printed) {
    const spliced = combined ? { unsupported: 'several files' } : first.fast ? spliceOutput({ text: first.text, fast: first.fast, data, edits, sources: names, target }) : { unsupported: 'read by the full parser' };
    if ('text' in spliced) {
      const back = readBack(spliced.text);
      if (back.means(output)) printed = { text: spliced.text, printedBy: { path: 'splice' }, back };
      else why = 'the spliced text did not read back as the merged data';
    } else why = spliced.unsupported;
  }
  if (!printed) {
    // The edits go into a copy: the parse stage's Document stays what it read, so positions
    // are read from it at any time (a copy costs a fifth of the parse, on this path only).
    const doc = combined ?? first.doc.clone();
    // Each comment to the node its column says it belongs to (yaml gives them to the deepest one).
    if (!combined) rehomeComments(doc, first.text);
    try {
      applyEditsToDocument(doc, edits);
    } catch (e) {
      if (!(e instanceof EditPathError)) throw e;
      pending?.();
      diagnostics.push(internal(file, `the output's edits do not fit the document: ${e.message}`));
      return {};
    }
    const text = emit(doc, names, target);
    printed = { text, printedBy: { path: 'document', why: why ?? '' }, back: readBack(text) };
  }
  const { text, printedBy, back } = printed;
  // Every printed output means the merged data, or it is not written.
  const readsBack = back.means(output);
  if (!readsBack) {
    pending?.();
    if (back.data !== undefined) {
      const own = to.checkOutput(asMapping(back.data), first.file, diagnostics);
      const compose = composeCheck(back.data, file);
      pending = () => [...own, ...compose()];
    } else pending = undefined;
  }
  const checked = pending?.() ?? [];
  if (checked.length) diagnostics.push(...locate(checked, sources));
  if (!readsBack) {
    diagnostics.push(internal(file, `the output printed by the ${printedBy?.path ?? 'pass-through'} path does not read back as the merged data${back.data === undefined ? ' (it is not a YAML file the reader accepts)' : ''}`));
    return {};
  }
  if (hasErrors(diagnostics)) return {};
  return { text, relativePaths, ...(printedBy ? { printedBy, edits } : {}) };
}

function internal(file: string, message: string): Diagnostic {
  return { code: 'INTERNAL', severity: 'error', file, path: [], message, hint: 'please report this: the output was not written' };
}

const checkNow = (output: unknown, file: string): (() => Diagnostic[]) => {
  const found = checkComposeSpec(output, file);
  return () => found;
};

