/**
 * Stage 1, parse: text -> SourceDoc. YAML problems become diagnostics with
 * positions; a document that has any is not handed on.
 */
import { LineCounter, parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { Diagnostic, DiagCode, StageResult } from '../diagnostics.js';
import { offsetToLinePos } from '../yaml/positions.js';
import { isMergeKey, PlainError, toPlain } from '../yaml/plain.js';

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

export function parseSource(src: SourceFile): StageResult<SourceDoc> {
  const fail = (code: DiagCode, message: string, line?: number, col?: number): StageResult<SourceDoc> => ({
    diagnostics: [{ code, severity: 'error', message, file: src.file, path: [], line, col }],
  });
  if (src.text.length > MAX_INPUT_BYTES) {
    return fail('FILE_TOO_LARGE', `the file is ${(src.text.length / 1048576).toFixed(1)} MiB; the limit is ${MAX_INPUT_BYTES / 1048576} MiB`);
  }
  const textProblem = rawTextProblem(src.text);
  if (textProblem) {
    const pos = linePosOfOffset(src.text, textProblem.offset);
    return fail('YAML_SYNTAX', textProblem.message, pos.line, pos.col);
  }
  if (src.text.includes('\u0000')) {
    const at = src.text.indexOf('\u0000');
    const lc = new LineCounter();
    parseAllDocuments(src.text.slice(0, at), { lineCounter: lc });
    const pos = offsetToLinePos(lc, at);
    return fail('YAML_SYNTAX', 'the file holds a NUL byte: it is binary, not YAML', pos.line, pos.col);
  }
  const second = secondDocumentOffset(src.text);
  if (second !== undefined) {
    // Known before parsing: a stream of 20,000 documents is not parsed 20,000 times to say so.
    const pos = linePosOfOffset(src.text, second);
    return fail('YAML_MULTI_DOC', 'the file holds more than one YAML document (a --- line after content); a compose file is one document', pos.line, pos.col);
  }
  const lineCounter = new LineCounter();
  const parseStream = () =>
    parseAllDocuments(src.text, {
    lineCounter,
    merge: true,
    // yaml's own check compares every key with every other (quadratic); ours uses a Set.
    uniqueKeys: false,
    prettyErrors: false,
    keepSourceTokens: false,
    // Compose's own tags (!reset, !override) are kept as written; never print warnings ourselves.
    logLevel: 'error',
  });
  let parsed: ReturnType<typeof parseStream>;
  try {
    parsed = parseStream();
  } catch (e) {
    // The parser recurses per nesting level: a file nested thousands deep exhausts the stack.
    if (e instanceof RangeError) return fail('YAML_SYNTAX', 'the file nests collections too deeply (thousands of levels); a compose file is never this deep', 1, 1);
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
      const pos = offsetToLinePos(lineCounter, e.pos[0]);
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
      const pos = offsetToLinePos(lineCounter, w.pos[0]);
      diagnostics.push({ code: 'YAML_SYNTAX', severity: 'error', message: warningMessage(w.code, firstLine(w.message)), file: src.file, path: [], line: pos.line, col: pos.col });
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
  const keyProblem = firstKeyProblem(doc);
  if (keyProblem) {
    const pos = offsetToLinePos(lineCounter, keyProblem.offset);
    return fail(keyProblem.code, keyProblem.message, pos.line, pos.col);
  }
  // Aliases are resolved once here so that undefined anchors and alias bombs
  // are refused with a position instead of surfacing later as exceptions.
  const expansion = measureExpansion(doc);
  if (expansion.missing) {
    const pos = offsetToLinePos(lineCounter, expansion.missing.offset);
    return fail('YAML_ALIAS', `the alias *${expansion.missing.name} refers to no anchor &${expansion.missing.name} before it`, pos.line, pos.col);
  }
  const limit = Math.max(MAX_EXPANDED_NODES, 10 * expansion.written);
  if (expansion.expanded > limit) {
    const pos = offsetToLinePos(lineCounter, expansion.firstAlias ?? 0);
    return fail('YAML_ALIAS', `aliases expand ${expansion.written} written nodes to ${expansion.expanded > 1e9 ? 'over a billion' : expansion.expanded} (limit ${limit}): refused as an alias bomb`, pos.line, pos.col);
  }
  let data: unknown;
  try {
    data = toPlain(doc);
  } catch (e) {
    if (e instanceof PlainError) {
      const pos = e.offset === undefined ? undefined : offsetToLinePos(lineCounter, e.offset);
      return fail('YAML_ALIAS', e.message, pos?.line, pos?.col);
    }
    const message = e instanceof Error ? e.message : String(e);
    if (/merge/i.test(message)) {
      const at = badMergeOffset(doc);
      const pos = at === undefined ? undefined : offsetToLinePos(lineCounter, at);
      return fail('YAML_ALIAS', 'a merge key (<<) takes a mapping, an alias of a mapping, or a list of them', pos?.line, pos?.col);
    }
    return fail('YAML_ALIAS', firstLine(message), ...aliasPosition(doc, lineCounter, undefined));
  }
  return { value: { ...src, doc, lineCounter, data }, diagnostics: [] };
}

/** The first key that repeats within one mapping, or that is not a plain name (a collection, empty). */
function firstKeyProblem(doc: Document): { code: DiagCode; message: string; offset: number } | undefined {
  let found: { code: DiagCode; message: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key as Node | null;
        const offset = k?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        if (k === null || (isScalar(k) && (k.value === null || k.value === ''))) {
          found = { code: 'YAML_SYNTAX', message: 'a mapping entry has an empty key; write a name before the ":"', offset };
          return visit.BREAK;
        }
        if (!isScalar(k)) {
          found = { code: 'YAML_SYNTAX', message: 'a key is a list or mapping; compose files use plain names as keys', offset };
          return visit.BREAK;
        }
        // `<<` may repeat (several merge sources).
        if (isMergeKey(k)) continue;
        const name = String(k.value);
        if (seen.has(name)) {
          found = { code: 'YAML_DUPLICATE_KEY', message: `the key ${JSON.stringify(name)} appears twice in one mapping; YAML keys must be unique`, offset };
          return visit.BREAK;
        }
        seen.add(name);
      }
      return undefined;
    },
  });
  return found;
}

/** Text that is not YAML whatever its structure: control characters, a stray BOM, CR-only line ends. */
function rawTextProblem(text: string): { message: string; offset: number } | undefined {
  const control = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) return { message: `the file holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which YAML does not allow; remove it or write it as an escape in a double-quoted string`, offset: control.index };
  const bom = text.indexOf('\ufeff', 1);
  if (bom > 0) return { message: 'a byte-order mark (U+FEFF) in the middle of the file; it would become part of a key', offset: bom };
  const sep = /[\u2028\u2029]/.exec(text);
  if (sep) return { message: `the file holds U+${sep[0].charCodeAt(0).toString(16).toUpperCase()} (a Unicode line separator), which YAML readers disagree on; remove it or write it as an escape in a double-quoted string`, offset: sep.index };
  const cr = /\r(?!\n)/.exec(text);
  if (cr) return { message: 'the file uses CR-only line ends (old Mac style); save it with LF or CRLF line ends', offset: cr.index };
  return undefined;
}

/**
 * Where a second document starts: a `---` line after content (a marker at
 * column 0 is a document marker even inside a scalar), or content after `...`.
 */
function secondDocumentOffset(text: string): number | undefined {
  let content = false;
  let ended = false;
  const re = /^(.*)$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = m[1]!.replace(/\r$/, '');
    if (re.lastIndex === m.index) re.lastIndex++;
    if (/^---(\s|$)/.test(line)) {
      if (content || ended) return m.index;
      content = line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#');
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(line)) {
      ended = content || ended;
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#') || /^%/.test(line)) continue;
    if (ended) return m.index;
    content = true;
  }
  return undefined;
}

function linePosOfOffset(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
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

interface Expansion {
  written: number;
  expanded: number;
  firstAlias?: number;
  missing?: { name: string; offset: number };
}

/** Nodes as written and as expanded (each alias counting its anchor's whole tree), in one pass. */
function measureExpansion(doc: Document): Expansion {
  const anchors = new Map<string, Node>();
  const size = new Map<Node, number>();
  let written = 0;
  let firstAlias: number | undefined;
  let missing: Expansion['missing'];
  const cap = 1e12;
  const measure = (n: unknown): number => {
    if (!n || typeof n !== 'object') return 0;
    if (isAlias(n)) {
      written++;
      firstAlias ??= n.range?.[0];
      const target = anchors.get(n.source);
      if (!target) {
        missing ??= { name: n.source, offset: n.range?.[0] ?? 0 };
        return 1;
      }
      return size.get(target) ?? 1;
    }
    let total = 1;
    if (isPair(n)) total = measure(n.key) + measure(n.value);
    else {
      written++;
      if (isMap(n) || isSeq(n)) for (const item of n.items) total = Math.min(cap, total + measure(item));
    }
    const node = n as Node;
    if (!isPair(n) && node.anchor) anchors.set(node.anchor, node);
    if (!isPair(n)) size.set(node, total);
    return total;
  };
  const expanded = measure(doc.contents);
  return { written, expanded, ...(firstAlias !== undefined ? { firstAlias } : {}), ...(missing ? { missing } : {}) };
}


/** The first `<<` whose value is not a mapping or alias (or a list of them). */
function badMergeOffset(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isMergeKey(pair.key)) return undefined;
      const v = pair.value as Node | null;
      const ok = (n: unknown): boolean => isMap(n) || isAlias(n);
      if (ok(v) || (isSeq(v) && v.items.every(ok))) return undefined;
      at = (v?.range?.[0] ?? (pair.key as Node).range?.[0]) as number;
      return visit.BREAK;
    },
  });
  return at;
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
