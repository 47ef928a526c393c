/**
 * Stage 8, the fast way: the edit list (src/merge/edits.ts) applied to the
 * source text. Generated entries are inserted after the entries they join,
 * removed entries are cut out with their lines, and every other byte of the
 * file is kept as written (comments, quoting, layout). It needs the fast
 * reader's offsets and plain layouts; where an edit meets anything else (an
 * anchored service or list, an alias on its path or into what it cuts) it
 * says why, and the caller applies the same edits to yaml's Document
 * (src/merge/document.ts). The caller also reads the result back: it must
 * mean what the merged data means.
 */
import type { YamlPath } from '../diagnostics.js';
import { applyEditsToData, dataAt, type Edit } from '../merge/edits.js';
import type { FastDoc, FMap, FNode, FPair, FSeq } from '../yaml/fast-parse.js';
import { fastPair } from '../yaml/fast-tree.js';
import { headerLines, printBlocks } from './emit.js';
import { trimEndOf } from '../strings.js';
import { yamlQuote } from '../yaml/scalar.js';
import type { Target } from '../model.js';

type Obj = Record<string, unknown>;
type Printable = Obj | unknown[];

/** Generated entries to print at a line start, or source text moved there; `depth`: of the collection the text joins. */
type Insert = ({ indent: number; value: Printable } | { raw: string }) & { at: number; depth: number };

/** Source text [from, to) replaced by `text` (empty: removed). */
interface Cut {
  from: number;
  to: number;
  text: string;
}

/** Thrown to give up; caught in spliceOutput only. */
class Unsupported extends Error {}
function unsupported(why: string): never {
  throw new Unsupported(why);
}

export interface SpliceInput {
  text: string;
  fast: FastDoc;
  /** The source's plain data (what an entry rewritten in full held before the edits). */
  data: unknown;
  edits: readonly Edit[];
  sources: readonly string[];
  target: Target;
}

/** The output text, or why this file needs the Document path. */
export function spliceOutput(input: SpliceInput): { text: string } | { unsupported: string } {
  try {
    return { text: new Splicer(input).run() };
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}


class Splicer {
  private readonly inserts: Insert[] = [];
  private readonly cuts: Cut[] = [];
  private readonly text: string;

  constructor(private readonly input: SpliceInput) {
    this.text = input.text;
  }

  /** Offset of the start of the line after the one holding `offset`. */
  private nextLine(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i + 1;
  }

  /**
   * Where entries appended to a block collection go: after its last entry and the
   * comment lines indented deeper than its entries (they belong to that last entry:
   * a note under the last service stays with it), before the comments at its own
   * column or left of it (a commented-out entry, or a comment on what follows).
   */
  private appendAt(n: { end: number; indent: number }): number {
    const text = this.text;
    let at = this.nextLine(n.end);
    for (let p = at; p < text.length; ) {
      const next = this.nextLine(p);
      const line = text.slice(p, next);
      const comment = /^( *)#/.exec(line);
      if (comment && comment[1]!.length > n.indent) at = p = next;
      else if (line.trim() === '') p = next;
      else break;
    }
    return at;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  run(): string {
    const { edits } = this.input;
    // A one-line `{ ... }` service that gains entries is written out as a block, with all its edits at once.
    const flowServices = new Map<string, Edit[]>();
    for (const e of edits) {
      const service = this.flowServiceOf(e);
      if (service !== undefined) flowServices.set(service, [...(flowServices.get(service) ?? []), e]);
      else if (e.op === 'delete') this.remove(e.path);
      else if (e.op === 'add') this.add(e.path, e.key, e.value, e.first === true);
      else if (e.op === 'append') this.append(e.path, e.items);
      else if (e.op === 'replace') this.replace(e.path, e.value);
      else this.plainAt(e.path); // a block mapping already: nothing to change
    }
    for (const [name, own] of flowServices) this.flowService(name, own);
    return this.apply();
  }

  /** The node at a path of own entries; every collection on the way plain (block style, no anchor, no alias). */
  private walk(path: YamlPath): { node: FNode; pair?: FPair; parent?: FMap } {
    let node: FNode = this.input.fast.root;
    let pair: FPair | undefined;
    let parent: FMap | undefined;
    for (const [i, seg] of path.entries()) {
      if (node.kind !== 'map') unsupported(node.kind === 'alias' ? `an alias on the way to ${path.join('.')}` : `not a plain mapping at ${path.join('.')}`);
      this.plain(node, path.slice(0, i));
      parent = node;
      pair = fastPair(node, String(seg)) ?? unsupported(path[0] === 'services' && path.length >= 2 && seg === path[1] ? 'service not written in the file' : `${path.join('.')} is not written in the file`);
      node = pair.value;
    }
    return { node, pair, parent };
  }

  /** The node at a path must be a plain block collection (a `block` edit on one that is). */
  private plainAt(path: YamlPath): void {
    const { node } = this.walk(path);
    if (node.kind === 'map' || node.kind === 'seq') this.plain(node, path);
    else unsupported(`not a plain block mapping at ${path.join('.')}`);
  }

  /** A collection (at `at`) the edits may extend in place: block style, no anchor. */
  private plain(n: FMap | FSeq, at: YamlPath): void {
    if (n.anchor === undefined && !n.flow) return;
    unsupported(at.length === 2 && at[0] === 'services' ? 'service is not a plain mapping' : `not a plain block ${n.kind} at ${at.join('.') || 'the top level'}`);
  }

  /** The service an edit falls in when that service is a flow mapping (it is rewritten whole). */
  private flowServiceOf(e: Edit): string | undefined {
    const at = e.op === 'add' ? [...e.path, e.key] : e.path;
    if (at.length < (e.op === 'block' ? 2 : 3) || at[0] !== 'services') return undefined;
    const services = fastPair(this.input.fast.root, 'services')?.value;
    if (services?.kind !== 'map' || services.flow || services.anchor !== undefined) return undefined;
    const svc = fastPair(services, String(at[1]))?.value;
    return svc?.kind === 'map' && svc.flow && svc.anchor === undefined ? String(at[1]) : undefined;
  }

  /** A key added to a mapping: printed after its last entry (or first in the file, for `first`). */
  private add(path: YamlPath, key: string, value: unknown, first: boolean): void {
    const { node } = this.walk(path);
    if (node.kind !== 'map') unsupported(node.kind === 'alias' ? `an alias at ${path.join('.')}` : `not a mapping at ${path.join('.')}`);
    this.plain(node, path);
    const root = node === this.input.fast.root;
    this.inserts.push({ at: first && root ? node.start : this.appendAt(node), indent: root ? 0 : node.indent, value: { [key]: value }, depth: path.length });
  }

  /** Items appended to a list: after its last item in place, or the entry rewritten where the list is written in flow style. */
  private append(path: YamlPath, items: readonly unknown[]): void {
    const { node, pair, parent } = this.walk(path);
    if (node.kind === 'seq' && !node.flow && node.anchor === undefined) {
      this.inserts.push({ at: this.appendAt(node), indent: node.indent, value: [...items], depth: path.length });
      return;
    }
    if (node.anchor !== undefined) unsupported('an anchored value to replace');
    const before = dataAt(this.input.data, path);
    this.rewrite(pair!, parent!, path, [...(Array.isArray(before) ? before : []), ...items]);
  }

  private replace(path: YamlPath, value: unknown): void {
    const { node, pair, parent } = this.walk(path);
    if (node.anchor !== undefined) unsupported('an anchored value to replace');
    if (path.length === 1 && path[0] === 'version' && typeof value === 'string') {
      // The version in place: a scalar on its line.
      if (node.kind !== 'scalar' || node.block) unsupported('version is not a scalar');
      this.cuts.push({ from: node.start, to: node.end, text: yamlQuote(value) });
      return;
    }
    this.rewrite(pair!, parent!, path, value);
  }

  /** An entry written anew at its place: its lines cut, the key with its new value printed there. */
  private rewrite(pair: FPair, parent: FMap, path: YamlPath, value: unknown): void {
    const from = this.lineStart(pair.keyStart);
    if (this.text.slice(from, pair.keyStart).trim() !== '') unsupported(`an entry to rewrite that does not start its line (${path.join('.')})`);
    const to = this.nextLine(pair.value.end);
    this.cutOwn(from, to, `an alias into ${path.join('.')}`);
    this.inserts.push({ at: from, indent: parent === this.input.fast.root ? 0 : parent.indent, value: { [pair.key]: value }, depth: path.length - 1 });
  }

  /** Aliases by where their anchored node starts (found once: files cut thousands of entries). */
  private aliasesByTarget?: FastDoc['aliases'];

  /** A cut; an alias outside it to an anchor inside it would lose its anchor. */
  private cutOwn(from: number, to: number, why: string): void {
    const aliases = (this.aliasesByTarget ??= [...this.input.fast.aliases].sort((a, b) => a.target.start - b.target.start));
    let low = 0;
    let high = aliases.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (aliases[mid]!.target.start < from) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < aliases.length && aliases[i]!.target.start < to; i++) {
      const a = aliases[i]!;
      if (!(a.start >= from && a.start < to)) unsupported(why);
    }
    this.cuts.push({ from, to, text: '' });
  }

  /** An entry removed with its lines; a top-level one with the comment lines right above it and the indented ones after it. */
  private remove(path: YamlPath): void {
    const { pair } = this.walk(path);
    if (path.length === 1) {
      const range = this.blockRange(pair!.keyStart, pair!.value);
      this.cutOwn(range.from, range.to, 'alias into the block');
      return;
    }
    const from = this.lineStart(pair!.keyStart);
    if (this.text.slice(from, pair!.keyStart).trim() !== '') unsupported('an entry to drop that does not start its line');
    this.cutOwn(from, this.nextLine(pair!.value.end), 'an alias to an entry to drop');
  }

  /** The block's lines, with the comment lines right above its key and the indented comments after it. */
  private blockRange(keyStart: number, value: FNode): { from: number; to: number } {
    const text = this.text;
    let from = this.lineStart(keyStart);
    for (;;) {
      const prev = this.lineStart(from - 1);
      if (from === 0 || !text.startsWith('#', prev)) break;
      from = prev;
    }
    let to = this.nextLine(value.end);
    for (let p = to; p < text.length; ) {
      const line = text.slice(p, this.nextLine(p));
      if (/^ +#/.test(line)) to = p = this.nextLine(p);
      else if (line.trim() === '') p = this.nextLine(p);
      else break;
    }
    return { from, to };
  }

  /**
   * A one-line `{ ... }` service that gains entries is written out as a
   * block: its entries keep their written text, except those the edits change.
   */
  private flowService(name: string, edits: readonly Edit[]): void {
    const text = this.text;
    const path = ['services', name];
    const { node } = this.walk(path);
    const svc = node as FMap;
    const at = this.nextLine(svc.end);
    if (text.slice(svc.end, at).trim() !== '') unsupported('a comment after a flow service');
    const indent = /^ */.exec(text.slice(this.lineStart(svc.start)))![0].length + 2;
    // What the service means after its edits, from which the entries that change are printed.
    const entries = edits.filter((e) => e.op !== 'block');
    const relative = entries.map((e): Edit => ({ ...e, path: e.path.slice(2) }));
    const after = applyEditsToData(dataAt(this.input.data, path), relative);
    const changed = new Set(entries.map((e) => String(e.op === 'add' && e.path.length === 2 ? e.key : e.path[2])));
    this.cuts.push({ from: text.lastIndexOf(':', svc.start) + 1, to: svc.end, text: '' });
    const written = new Set<string>();
    for (const p of svc.pairs) {
      written.add(p.key);
      if (p.merge || !changed.has(p.key)) this.inserts.push({ at, raw: `${' '.repeat(indent)}${text.slice(p.keyStart, p.value.end)}\n`, depth: 2 });
      else if (Object.hasOwn(after, p.key)) this.inserts.push({ at, indent, value: { [p.key]: after[p.key] }, depth: 2 });
    }
    const added = [...changed].filter((k) => !written.has(k) && Object.hasOwn(after, k));
    if (added.length) this.inserts.push({ at, indent, value: Object.fromEntries(added.map((k) => [k, after[k]])), depth: 2 });
  }

  private apply(): string {
    const text = this.text;
    const printed = printBlocks(this.inserts.flatMap((i) => ('value' in i ? [i.value] : [])));
    let next = 0;
    type TextEdit = { at: number; to: number; text: string; depth: number; order: number };
    const edits: TextEdit[] = [
      // At one offset, inserts go first: into the deeper collection first (items of a list before
      // the entry that follows the list), then in the order they were made.
      ...this.inserts.map((ins, i) => ({ at: ins.at, to: ins.at, text: 'value' in ins ? indent(printed[next++]!, ins.indent) : ins.raw, depth: ins.depth, order: i })),
      ...this.cuts.map((c, i) => ({ at: c.from, to: c.to, text: c.text, depth: -1, order: this.inserts.length + i })),
    ].sort((a, b) => a.at - b.at || b.depth - a.depth || a.order - b.order);
    let out = headerLines(this.input.sources, this.input.target);
    let p = 0;
    // Text inserted after a last line without a line end starts on a line of its own.
    let ended = text.endsWith('\n') || text === '';
    for (const e of edits) {
      if (e.at < p) unsupported('overlapping edits');
      out += text.slice(p, e.at);
      if (e.at === text.length && !ended && e.text) {
        out += '\n';
        ended = true;
      }
      out += e.text;
      p = e.to;
    }
    out += text.slice(p);
    // Cutting a block at the end leaves the blank lines that stood before it.
    return `${trimEndOf(out, '\n')}\n`;
  }
}

function indent(block: string, columns: number): string {
  if (!columns) return block;
  const pad = ' '.repeat(columns);
  return block.replace(/^(?=.)/gm, pad);
}
