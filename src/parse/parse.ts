/**
 * Stage 1, parse: text -> SourceDoc. YAML problems become diagnostics with
 * positions; a document that has any is not handed on.
 */
import { LineCounter, parseAllDocuments, isMap, type Document } from 'yaml';
import type { Diagnostic, DiagCode, StageResult, YamlPath } from '../diagnostics.js';
import { documentIndex, findPair } from '../yaml/positions.js';
import { fastParse, type FastDoc } from '../yaml/fast-parse.js';
import { fastIndex, fastPair, fastToData } from '../yaml/fast-tree.js';
import { LineIndex, linePosIn, positionIn, type LinePos, type SourceIndex } from '../yaml/source-index.js';
import { PlainError, toPlain } from '../yaml/plain.js';
import { rawTextProblem, secondDocumentOffset } from './text-guards.js';
import { aliasPosition, badMergeOffset, duplicateMessage, firstKeyProblem, measureExpansion } from './doc-guards.js';

export interface SourceFile {
  /** Name as shown in messages (as the user gave it). */
  file: string;
  text: string;
}

export interface SourceDoc extends SourceFile {
  /** The document as plain data (merge keys applied), computed once. */
  readonly data: unknown;
  /** yaml's Document (comments, layout) for the stages that edit it; read on first use when the fast reader read the file. */
  readonly doc: Document.Parsed;
  /** The fast reader's view of the file (offsets of every key and value), when it could read it. */
  readonly fast?: FastDoc;
  /** Offsets of every key and value, and their line:col, from whichever reader read the file. */
  readonly index: SourceIndex;
  /** line:col of the value at a path (of the deepest part that exists), or of its key. */
  positionOf(path: YamlPath, preferKey?: boolean): LinePos | undefined;
  /** Whether the top-level mapping has this key written in it. */
  hasTopKey(key: string): boolean;
}

export interface ParseOptions {
  /** Try the fast reader first (default). Off: always the full parser (tests compare the two). */
  fast?: boolean;
}

const READ_OPTIONS = {
  merge: true,
  // yaml's own check compares every key with every other (quadratic); ours uses a Set.
  uniqueKeys: false,
  prettyErrors: false,
  keepSourceTokens: false,
  // Compose's own tags (!reset, !override) are kept as written; never print warnings ourselves.
  logLevel: 'error',
} as const;

/** A file the full parser read: everything comes from its Document. */
function fullSource(src: SourceFile, doc: Document.Parsed, lines: LineIndex, data: unknown): SourceDoc {
  const index = documentIndex(doc, lines);
  return {
    ...src,
    data,
    doc,
    index,
    positionOf: (path, preferKey = false) => positionIn(index, path, preferKey),
    hasTopKey: (key) => findPair(doc.contents, key) !== undefined,
  };
}

/** A file the fast reader read: positions from its offsets, the Document only when a stage asks for it. */
function fastSource(src: SourceFile, fast: FastDoc): SourceDoc {
  let doc: Document.Parsed | undefined;
  let lines: LineIndex | undefined;
  // The line starts are found on the first position asked for (most builds ask for none).
  const index = fastIndex(fast, () => (lines ??= LineIndex.ofText(src.text)));
  return {
    ...src,
    data: fastToData(fast),
    fast,
    get doc(): Document.Parsed {
      doc ??= parseAllDocuments(src.text, { ...READ_OPTIONS, lineCounter: new LineCounter() })[0] as Document.Parsed;
      return doc;
    },
    index,
    positionOf: (path, preferKey = false) => positionIn(index, path, preferKey),
    hasTopKey: (key) => fastPair(fast.root, key) !== undefined,
  };
}


/** Larger inputs are refused before parsing: 25,000 services fit; a real compose file is far smaller. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;
/**
 * Aliases share one value, but a consumer that expands them (docker-compose,
 * a validator) does the work of the expanded tree: a "billion laughs" file of
 * a few hundred bytes expands to billions of nodes. The expanded size is
 * measured and bounded: at most this many nodes, or ten times the written ones.
 */
export const MAX_EXPANDED_NODES = 100_000;

const YAML_CODES: Record<string, DiagCode> = {
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  BAD_ALIAS: 'YAML_ALIAS',
};

export function parseSource(src: SourceFile, options: ParseOptions = {}): StageResult<SourceDoc> {
  const fail = (code: DiagCode, message: string, line?: number, col?: number): StageResult<SourceDoc> => ({
    diagnostics: [{ code, severity: 'error', message, file: src.file, path: [], line, col }],
  });
  if (src.text.length > MAX_INPUT_BYTES) {
    return fail('FILE_TOO_LARGE', `the file is ${(src.text.length / 1048576).toFixed(1)} MiB; the limit is ${MAX_INPUT_BYTES / 1048576} MiB`);
  }
  const textProblem = rawTextProblem(src.text);
  if (textProblem) {
    const pos = linePosIn(src.text, textProblem.offset);
    return fail('YAML_SYNTAX', textProblem.message, pos.line, pos.col);
  }
  if (src.text.includes('\u0000')) {
    const at = src.text.indexOf('\u0000');
    const pos = linePosIn(src.text, at);
    return fail('YAML_SYNTAX', 'the file holds a NUL byte: it is binary, not YAML', pos.line, pos.col);
  }
  const second = secondDocumentOffset(src.text);
  if (second !== undefined) {
    // Known before parsing: a stream of 20,000 documents is not parsed 20,000 times to say so.
    const pos = linePosIn(src.text, second);
    return fail('YAML_MULTI_DOC', 'the file holds more than one YAML document (a --- line after content); a compose file is one document', pos.line, pos.col);
  }
  const deep = tooDeepOffset(src.text);
  if (deep >= 0) {
    const pos = linePosIn(src.text, deep);
    return fail('YAML_SYNTAX', `the file nests collections too deeply (${MAX_DEPTH} levels here); a compose file is never this deep`, pos.line, pos.col);
  }
  if (options.fast !== false) {
    // The common case: a compose file the fast reader can read whole. It gives up on
    // anything unusual (and on alias bombs), and the full parser below reads it again.
    const fast = fastParse(src.text);
    if (fast?.duplicate) {
      // What the full parser's key check says about this file (the rest of it is in the subset).
      const pos = linePosIn(src.text, fast.duplicate.offset);
      return fail('YAML_DUPLICATE_KEY', duplicateMessage(fast.duplicate.key), pos.line, pos.col);
    }
    if (fast && fast.root.size <= Math.max(MAX_EXPANDED_NODES, 10 * fast.written)) return { value: fastSource(src, fast), diagnostics: [] };
  }
  const lineCounter = new LineCounter();
  let lineIndex: LineIndex | undefined;
  const linePos = (offset: number): LinePos => (lineIndex ??= LineIndex.ofLineStarts(lineCounter.lineStarts)).linePos(offset);
  const parseStream = () => parseAllDocuments(src.text, { ...READ_OPTIONS, lineCounter });
  let parsed: ReturnType<typeof parseStream>;
  try {
    parsed = parseStream();
  } catch (e) {
    // The parser recurses per nesting level: a file nested thousands deep exhausts the stack.
    if (e instanceof RangeError) {
      const pos = linePosIn(src.text, Math.max(0, tooDeepOffset(src.text)));
      return fail('YAML_SYNTAX', 'the file nests collections too deeply (thousands of levels); a compose file is never this deep', pos.line, pos.col);
    }
    throw e;
  }
  const docs = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    // An empty stream: parseAllDocuments returns an EmptyStream.
    return fail('NOT_A_MAPPING', 'the file is empty; a compose file needs at least a services: mapping', 1, 1);
  }
  const diagnostics: Diagnostic[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      const pos = linePos(e.pos[0]);
      diagnostics.push({
        code: YAML_CODES[e.code] ?? 'YAML_SYNTAX',
        severity: 'error',
        message: /call stack/i.test(e.message) ? 'the file nests collections too deeply (thousands of levels); a compose file is never this deep' : firstLine(e.message),
        file: src.file,
        path: [],
        line: pos.line,
        col: pos.col,
      });
    }
  }
  for (const d of docs) {
    for (const w of d.warnings) {
      // Compose's own tags are kept as written; any other warning means the value would change.
      if (w.code === 'TAG_RESOLVE_FAILED' && /!(reset|override)\b/.test(w.message)) continue;
      const pos = linePos(w.pos[0]);
      diagnostics.push({ code: 'YAML_SYNTAX', severity: 'error', message: warningMessage(w.code, firstLine(w.message)), file: src.file, path: [], line: pos.line, col: pos.col });
    }
  }
  if (diagnostics.length > 0) return { diagnostics: dedupe(diagnostics).slice(0, 20) };
  if (docs.length > 1) {
    const second = docs[1]!;
    const pos = linePos(second.range[0]);
    return fail('YAML_MULTI_DOC', `the file holds ${docs.length} YAML documents; a compose file is one document`, pos.line, pos.col);
  }
  const doc = docs[0];
  if (!doc || doc.contents === null) {
    return fail('NOT_A_MAPPING', 'the file is empty; a compose file needs at least a services: mapping', 1, 1);
  }
  if (!isMap(doc.contents)) {
    const pos = linePos(doc.contents.range?.[0] ?? 0);
    return fail('NOT_A_MAPPING', 'the top level must be a mapping (services:, volumes:, ...)', pos.line, pos.col);
  }
  const keyProblem = firstKeyProblem(doc);
  if (keyProblem) {
    const pos = linePos(keyProblem.offset);
    return fail(keyProblem.code, keyProblem.message, pos.line, pos.col);
  }
  // Aliases are resolved once here so that undefined anchors and alias bombs
  // are refused with a position instead of surfacing later as exceptions.
  const expansion = measureExpansion(doc);
  if (expansion.missing) {
    const pos = linePos(expansion.missing.offset);
    return fail('YAML_ALIAS', `the alias *${expansion.missing.name} refers to no anchor &${expansion.missing.name} before it`, pos.line, pos.col);
  }
  const limit = Math.max(MAX_EXPANDED_NODES, 10 * expansion.written);
  if (expansion.expanded > limit) {
    const pos = linePos(expansion.firstAlias ?? 0);
    return fail('YAML_ALIAS', `aliases expand ${expansion.written} written nodes to ${expansion.expanded > 1e9 ? 'over a billion' : expansion.expanded} (limit ${limit}): refused as an alias bomb`, pos.line, pos.col);
  }
  let data: unknown;
  try {
    data = toPlain(doc);
  } catch (e) {
    if (e instanceof PlainError) {
      const pos = e.offset === undefined ? undefined : linePos(e.offset);
      return fail('YAML_ALIAS', e.message, pos?.line, pos?.col);
    }
    const message = e instanceof Error ? e.message : String(e);
    if (/merge/i.test(message)) {
      const at = badMergeOffset(doc);
      const pos = at === undefined ? undefined : linePos(at);
      return fail('YAML_ALIAS', 'a merge key (<<) takes a mapping, an alias of a mapping, or a list of them', pos?.line, pos?.col);
    }
    return fail('YAML_ALIAS', firstLine(message), ...aliasPosition(doc, linePos, undefined));
  }
  return { value: fullSource(src, doc, LineIndex.ofLineStarts(lineCounter.lineStarts), data), diagnostics: [] };
}

function warningMessage(code: string, message: string): string {
  if (code === 'TAG_RESOLVE_FAILED') return `${message}: a tag YAML cannot apply here; remove it`;
  if (code === 'BAD_DIRECTIVE' || /directive|version/i.test(message)) return `${message}: compose files are YAML 1.2 without directives`;
  return message;
}

/** yaml reports an unclosed flow collection once per line it swallowed: once is enough. */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const k = `${d.code}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?\s*$/, '');
}

/**
 * How deep a file may nest. Compose files nest a dozen levels; later passes recurse per level,
 * and a file 2,000 deep (which the parser still reads) exhausted the stack there (exit 3).
 */
export const MAX_DEPTH = 512;

/**
 * Whether a file can nest MAX_DEPTH deep at all: it holds MAX_DEPTH `[` and `{`, or a line
 * indented MAX_DEPTH spaces. Without either, tooDeepOffset's answer is -1; found by the
 * string builtins, where tooDeepOffset's loop over every character of a small file costs more
 * than the rest of its reading (V8 compiles the loop again while it runs: 0.5-5 ms for 8 KB).
 */
function mayNestTooDeep(text: string): boolean {
  const indent = ' '.repeat(MAX_DEPTH);
  if (text.startsWith(indent) || text.includes(`\n${indent}`)) return true;
  let brackets = 0;
  for (const open of ['[', '{']) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++brackets >= MAX_DEPTH) return true;
  }
  return false;
}

/**
 * Where a file nests too deep, or -1: the first `[` or `{` at flow depth MAX_DEPTH (outside
 * quotes and comments), or the first line indented MAX_DEPTH columns (each block level adds
 * one at least). One linear pass, when the file can nest that deep at all.
 */
export function tooDeepOffset(text: string): number {
  if (!mayNestTooDeep(text)) return -1;
  let depth = 0;
  let quote = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (lineStart) {
      lineStart = false;
      let j = i;
      while (text.charCodeAt(j) === 32) j++;
      if (j - i >= MAX_DEPTH) return j;
    }
    if (c === 10) {
      lineStart = true;
      continue;
    }
    if (quote) {
      if (c === 92 && quote === 34) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 34 || c === 39) {
      // A quote starts a quoted scalar only where a value may start (an apostrophe in
      // `it's` is text): after indentation, `:`, `-`, `?`, `[`, `{` or `,`.
      let k = i - 1;
      while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
      const before = k < 0 ? 10 : text.charCodeAt(k);
      if (before === 10 || before === 58 || before === 45 || before === 63 || before === 91 || before === 123 || before === 44) quote = c;
    }
    else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9 || text.charCodeAt(i - 1) === 10)) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
    } else if (c === 91 || c === 123) {
      if (++depth >= MAX_DEPTH) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return -1;
}
