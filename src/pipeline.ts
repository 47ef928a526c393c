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
import { composeView, type ComposeView } from './resolve/compose-view.js';
import { resolve } from './resolve/resolve.js';
import { plan as makePlan } from './plan/plan.js';
import { BUILTIN_TABLE, type PatternTable } from './plan/patterns.js';
import { renderPlan } from './render/render.js';
import { mergeFragments, removeBlock } from './merge/merge.js';
import { checkComposeSpec } from './check/compose-spec.js';
import { checkPolicy } from './check/policy.js';
import { checkSwarm } from './check/swarm.js';
import { checkStateful } from './check/stateful.js';
import { emit } from './emit/emit.js';
import { positionOf } from './yaml/positions.js';

export interface BuildOptions {
  target?: Target;
  /** Pattern table including user-defined patterns (default: built-ins). */
  patterns?: PatternTable;
  /** Templates of user-defined patterns, compiled. */
  userTemplates?: ReadonlyMap<string, (context: unknown) => string>;
  /** Stop after planning: validate and explain need no output text. */
  planOnly?: boolean;
}

export interface BuildResult {
  /** The generated Compose text; absent when there were errors or planOnly. */
  text?: string;
  plan?: Plan;
  /** Whether a persistence block was found (without one, the input passes through). */
  hasBlock: boolean;
  diagnostics: Diagnostic[];
}

interface Loaded {
  sources: SourceDoc[];
  block?: BlockInfo;
  blockSource?: SourceDoc;
}

function load(files: readonly SourceFile[]): { value?: Loaded; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sources: SourceDoc[] = [];
  for (const f of files) {
    const r = parseSource(f);
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
        ...positionOf(src.doc, src.lineCounter, [r.value.key], true),
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
const AT_KEY = new Set<Diagnostic['code']>(['SCHEMA_UNKNOWN_KEY', 'UNKNOWN_SERVICE', 'SCHEMA_REQUIRED', 'MISSING_BACKEND']);

/** Fill line:col from the source that holds each diagnostic's path. */
function locate(diagnostics: Diagnostic[], sources: readonly SourceDoc[]): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.line !== undefined) return d;
    const src = sources.find((s) => s.file === d.file) ?? sources[0];
    const pos = src ? positionOf(src.doc, src.lineCounter, d.path, AT_KEY.has(d.code)) : undefined;
    return pos ? { ...d, ...pos } : d;
  });
}

export function runBuild(files: readonly SourceFile[], options: BuildOptions = {}): BuildResult {
  const target = options.target ?? 'compose';
  const patterns = options.patterns ?? BUILTIN_TABLE;
  const loaded = load(files);
  const diagnostics = [...loaded.diagnostics];
  const done = (extra: Partial<BuildResult> = {}): BuildResult => ({
    hasBlock: Boolean(loaded.value?.block),
    ...extra,
    diagnostics: sortDiagnostics(locate(diagnostics, loaded.value?.sources ?? [])),
  });
  if (!loaded.value || hasErrors(diagnostics)) return done();
  const { sources, block } = loaded.value;
  const first = sources[0]!;

  const doc: Document = sources.length > 1 ? combineDocuments(first.doc, sources.slice(1).map((s) => s.doc)) : first.doc.clone();
  if (!block) {
    // No block: the input passes through unchanged (so build is idempotent on its own output),
    // but a stateful image left unpersisted is still worth a warning.
    diagnostics.push(...checkStateful(composeView(doc), undefined, undefined, first.file));
    return done({ text: sources.length === 1 && target === 'compose' ? first.text : emit(doc, files.map((f) => f.file), target) });
  }
  const view: ComposeView = composeView(doc);

  const resolved = resolve(block, view, patterns);
  diagnostics.push(...resolved.diagnostics);
  if (!resolved.value || hasErrors(diagnostics)) return done();

  const planned = makePlan(resolved.value, view, patterns, target);
  diagnostics.push(...planned.diagnostics);
  if (!planned.value) return done();
  diagnostics.push(...checkPolicy(resolved.value, planned.value));
  diagnostics.push(...checkStateful(view, resolved.value, planned.value, first.file));
  if (target === 'swarm') diagnostics.push(...checkSwarm(view, first.file));
  if (hasErrors(diagnostics) || options.planOnly) return done({ plan: planned.value });

  const fragments = planned.value.services.map((s) => renderPlan(s, target, patterns, options.userTemplates));
  removeBlock(doc, block.key);
  mergeFragments(doc, view, fragments);
  if (target === 'swarm') prependVersion(doc);

  diagnostics.push(...checkComposeSpec(doc.toJS({ maxAliasCount: -1 }), block.file));
  if (hasErrors(diagnostics)) return done({ plan: planned.value });
  return done({ plan: planned.value, text: emit(doc, files.map((f) => f.file), target) });
}

/** The Swarm stack loader wants a version (Debian's 20.10 CLI refuses a file without one). */
function prependVersion(doc: Document): void {
  if (doc.has('version')) doc.set('version', '3.8');
  else (doc.contents as unknown as { items: unknown[] }).items.unshift(doc.createPair('version', '3.8'));
}
