/**
 * Stage 1, parse: text -> SourceDoc. YAML problems become diagnostics with
 * positions; a document that has any is not handed on.
 */
import { LineCounter, parseAllDocuments, isMap, isScalar, visit, type Document } from 'yaml';
import type { Diagnostic, DiagCode, StageResult } from '../diagnostics.js';
import { offsetToLinePos } from '../yaml/positions.js';

export interface SourceFile {
  /** Name as shown in messages (as the user gave it). */
  file: string;
  text: string;
}

export interface SourceDoc extends SourceFile {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (merge keys applied), computed once. */
  data: unknown;
  /** How far aliases may expand in this file (see aliasLimit). */
  maxAliasCount: number;
}

/** Larger inputs are refused before parsing: a compose file is never this big. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** An alias may expand this many nodes before it counts as a "billion laughs" bomb. */
export const MAX_ALIAS_COUNT = 1000;

/**
 * The expansion allowed grows with the file: 10,000 services that each merge
 * `<<: *common` are ordinary, while a bomb expands exponentially from a few
 * hundred bytes. A quarter of the file's length bounds the work by its size.
 */
export function aliasLimit(text: string): number {
  return Math.max(MAX_ALIAS_COUNT, Math.floor(text.length / 4));
}

const YAML_CODES: Record<string, DiagCode> = {
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  BAD_ALIAS: 'YAML_ALIAS',
};

export function parseSource(src: SourceFile): StageResult<SourceDoc> {
  const fail = (code: DiagCode, message: string, line?: number, col?: number): StageResult<SourceDoc> => ({
    diagnostics: [{ code, severity: 'error', message, file: src.file, path: [], line, col }],
  });
  if (src.text.length > MAX_INPUT_BYTES) {
    return fail('FILE_TOO_LARGE', `the file is ${(src.text.length / 1048576).toFixed(1)} MiB; the limit is ${MAX_INPUT_BYTES / 1048576} MiB`);
  }
  if (src.text.includes('\u0000')) {
    const at = src.text.indexOf('\u0000');
    const lc = new LineCounter();
    parseAllDocuments(src.text.slice(0, at), { lineCounter: lc });
    const pos = offsetToLinePos(lc, at);
    return fail('YAML_SYNTAX', 'the file holds a NUL byte: it is binary, not YAML', pos.line, pos.col);
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(src.text, {
    lineCounter,
    merge: true,
    // yaml's own check compares every key with every other (quadratic); ours uses a Set.
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
    // Compose's own tags (!reset, !override) are kept as written; never print warnings ourselves.
    logLevel: 'error',
  });
  const docs = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    // An empty stream: parseAllDocuments returns an EmptyStream.
    return fail('NOT_A_MAPPING', 'the file is empty; a compose file needs at least a services: mapping', 1, 1);
  }
  const diagnostics: Diagnostic[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      const pos = offsetToLinePos(lineCounter, e.pos[0]);
      diagnostics.push({
        code: YAML_CODES[e.code] ?? 'YAML_SYNTAX',
        severity: 'error',
        message: firstLine(e.message),
        file: src.file,
        path: [],
        line: pos.line,
        col: pos.col,
      });
    }
  }
  if (diagnostics.length > 0) return { diagnostics: dedupe(diagnostics).slice(0, 20) };
  if (docs.length > 1) {
    const second = docs[1]!;
    const pos = offsetToLinePos(lineCounter, second.range[0]);
    return fail('YAML_MULTI_DOC', `the file holds ${docs.length} YAML documents; a compose file is one document`, pos.line, pos.col);
  }
  const doc = docs[0];
  if (!doc || doc.contents === null) {
    return fail('NOT_A_MAPPING', 'the file is empty; a compose file needs at least a services: mapping', 1, 1);
  }
  if (!isMap(doc.contents)) {
    const pos = offsetToLinePos(lineCounter, doc.contents.range?.[0] ?? 0);
    return fail('NOT_A_MAPPING', 'the top level must be a mapping (services:, volumes:, ...)', pos.line, pos.col);
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const pos = offsetToLinePos(lineCounter, duplicate.offset);
    return fail('YAML_DUPLICATE_KEY', `the key ${JSON.stringify(duplicate.key)} appears twice in one mapping; YAML keys must be unique`, pos.line, pos.col);
  }
  // Aliases are resolved once here so that undefined anchors and alias bombs
  // are refused with a position instead of surfacing later as exceptions.
  const maxAliasCount = aliasLimit(src.text);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const bomb = /alias count|resource exhaustion/i.test(message);
    return fail(
      'YAML_ALIAS',
      bomb
        ? `aliases expand to too many nodes (over ${maxAliasCount}): refused as a possible alias bomb`
        : firstLine(message).replace(/^Unresolved alias/, 'an alias refers to an anchor that is not defined before it'),
      ...aliasPosition(doc, lineCounter, bomb ? undefined : /:\s*(\S+)\s*$/.exec(message)?.[1]),
    );
  }
  return { value: { ...src, doc, lineCounter, data, maxAliasCount }, diagnostics: [] };
}

/** The first key that repeats within one mapping, with its offset. */
function firstDuplicateKey(doc: Document): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key;
        // `<<` may repeat (several merge sources); complex keys are left to the Compose check.
        if (!isScalar(k) || k.value === '<<') continue;
        const name = String(k.value);
        if (seen.has(name)) {
          found = { key: name, offset: k.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
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

/** Where the offending alias is: the named one, or for a bomb the first alias. */
function aliasPosition(doc: Document, lc: LineCounter, name: string | undefined): [number?, number?] {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (name === undefined || node.source === name) {
        at = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (at === undefined) return [];
  const pos = offsetToLinePos(lc, at);
  return [pos.line, pos.col];
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?\s*$/, '');
}
