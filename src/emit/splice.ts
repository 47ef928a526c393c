/**
 * Stage 8, the fast way: the output as edits of the source text. Generated
 * entries are inserted after the entries they join, the block is cut out,
 * and every other byte of the file is kept as written (comments, quoting,
 * layout). It needs the fast reader's offsets and plain layouts; for
 * anything else (an anchored service or list, an alias into the block, a
 * key to overwrite) it says why, and the caller edits yaml's Document, as
 * merge.ts does. The caller also reads the result back: it must mean what
 * the merged data means, or the Document path is used.
 */
import type { Fragment } from '../model.js';
import type { ComposeView } from '../compose/view.js';
import type { FastDoc, FMap, FNode, FSeq } from '../yaml/fast-parse.js';
import { fastPair } from '../yaml/fast-tree.js';
import { dependsOnMapping, deepMerge } from '../merge/merge.js';
import { headerLines, printBlocks } from './emit.js';
import { trimEndOf } from '../strings.js';
import { yamlQuote } from '../yaml/scalar.js';

type Obj = Record<string, unknown>;
type Printable = Obj | unknown[];

/** Generated entries to print at a line start, or source text moved there. */
type Insert = { at: number; indent: number; value: Printable } | { at: number; raw: string };

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
  /** The block's key; absent for a file without one (a Swarm output is still converted). */
  blockKey?: string;
  view: ComposeView;
  fragments: readonly Fragment[];
  sources: readonly string[];
  target: string;
  /** Swarm: the version to write first. */
  version?: string;
  /** Service entries to leave out (`['services', name, key]`, the Swarm conversion's). */
  drop?: readonly (readonly (string | number)[])[];
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

  /** A block mapping or list nobody else refers to (no anchor): safe to extend in place. */
  private own<T extends FMap | FSeq>(n: FNode, kind: T['kind']): T {
    if (n.kind !== kind || n.anchor !== undefined || (n as FMap | FSeq).flow) unsupported(`not a plain block ${kind}`);
    return n as T;
  }

  run(): string {
    const { fast, blockKey, fragments, view } = this.input;
    const root = fast.root;
    if (blockKey !== undefined) {
      const blockPair = fastPair(root, blockKey) ?? unsupported('no block');
      const block = this.blockRange(blockPair.keyStart, blockPair.value);
      // An alias outside the block to an anchor inside it would lose its anchor.
      if (fast.aliases.some((a) => a.target.start >= block.from && a.target.start < block.to && !(a.start >= block.from && a.start < block.to))) unsupported('alias into the block');
      this.cuts.push({ ...block, text: '' });
    }

    const servicesPair = fastPair(root, 'services') ?? unsupported('no services');
    const services = this.own<FMap>(servicesPair.value, 'map');
    for (const path of this.input.drop ?? []) this.dropEntry(services, path);
    const newServices: Obj = {};
    for (const f of fragments) {
      const pair = fastPair(services, f.service) ?? unsupported('service not written in the file');
      this.service(pair.value, view.services[f.service] ?? {}, f);
      Object.assign(newServices, f.services);
    }
    if (Object.keys(newServices).length) this.inserts.push({ at: this.appendAt(services), indent: services.indent, value: newServices });

    const topVolumes: Obj = {};
    for (const f of fragments) Object.assign(topVolumes, f.topVolumes);
    if (Object.keys(topVolumes).length) {
      const volumesPair = fastPair(root, 'volumes');
      if (volumesPair) {
        const volumes = this.own<FMap>(volumesPair.value, 'map');
        this.inserts.push({ at: this.appendAt(volumes), indent: volumes.indent, value: topVolumes });
      } else this.inserts.push({ at: this.appendAt(root), indent: 0, value: { volumes: topVolumes } });
    }
    if (this.input.version !== undefined) this.version(root, this.input.version);
    return this.apply();
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

  /** A service's own entry cut out, with its lines (the entry is written in block style). */
  private dropEntry(services: FMap, path: readonly (string | number)[]): void {
    if (path.length !== 3 || path[0] !== 'services') unsupported('an entry to drop outside a service');
    const svc = fastPair(services, String(path[1]))?.value;
    if (!svc || svc.kind !== 'map' || svc.flow || svc.anchor !== undefined) unsupported('an entry to drop in a service that is not a plain block mapping');
    const pair = fastPair(svc, String(path[2])) ?? unsupported('an inherited entry to drop');
    const from = this.lineStart(pair.keyStart);
    const to = this.nextLine(pair.value.end);
    if (this.input.fast.aliases.some((a) => a.target.start >= from && a.target.start < to)) unsupported('an alias to an entry to drop');
    if (this.text.slice(from, pair.keyStart).trim() !== '') unsupported('an entry to drop that does not start its line');
    this.cuts.push({ from, to, text: '' });
  }

  private service(node: FNode, effective: Obj, f: Fragment): void {
    if (node.kind !== 'map' || node.anchor !== undefined) unsupported('service is not a plain mapping');
    const svc = node;
    // New keys (written in full where the service inherits them through <<), and own
    // entries that grow: block lists and mappings in place, anything in a flow service rewritten.
    const added: Obj = {};
    const grown: Obj = {};
    const appends: Insert[] = [];
    const grow = (key: string, more: Printable, whole: () => Printable): void => {
      const pair = fastPair(svc, key);
      if (!pair) added[key] = whole();
      else if (svc.flow) grown[key] = whole();
      else {
        const v = pair.value;
        const kind = Array.isArray(more) ? 'seq' : 'map';
        if (v.kind === kind && !v.flow && v.anchor === undefined) appends.push({ at: this.appendAt(v), indent: v.indent, value: more });
        else {
          // A flow collection, an alias, a list where a mapping goes: the entry is written anew.
          if (v.anchor !== undefined) unsupported('an anchored value to replace');
          const from = this.lineStart(pair.keyStart);
          this.cuts.push({ from, to: this.nextLine(v.end), text: '' });
          appends.push({ at: from, indent: svc.indent, value: { [key]: whole() } });
        }
      }
    };
    const list = (key: string, items: readonly unknown[]): void => {
      if (items.length) grow(key, [...items], () => [...(Array.isArray(effective[key]) ? (effective[key] as unknown[]) : []), ...items]);
    };
    list('volumes', f.volumes);
    list('volumes_from', f.volumesFrom);
    if (Object.keys(f.dependsOn).length) {
      grow('depends_on', { ...f.dependsOn }, () => ({ ...dependsOnMapping(effective.depends_on), ...f.dependsOn }));
    }
    for (const [k, v] of Object.entries(f.set)) {
      if (fastPair(svc, k)) unsupported('a key to overwrite');
      added[k] = effective[k] === undefined ? v : deepMerge(effective[k], v);
    }
    if (svc.flow) {
      this.flowService(svc, grown, added);
      return;
    }
    this.inserts.push(...appends);
    if (Object.keys(added).length) this.inserts.push({ at: this.appendAt(svc), indent: svc.indent, value: added });
  }

  /**
   * A one-line `{ ... }` service that gains entries is written out as a
   * block: its entries keep their written text, except those that grow.
   */
  private flowService(svc: FMap, grown: Obj, added: Obj): void {
    const text = this.text;
    const at = this.nextLine(svc.end);
    if (text.slice(svc.end, at).trim() !== '') unsupported('a comment after a flow service');
    const indent = /^ */.exec(text.slice(this.lineStart(svc.start)))![0].length + 2;
    this.cuts.push({ from: text.lastIndexOf(':', svc.start) + 1, to: svc.end, text: '' });
    for (const p of svc.pairs) {
      if (p.key in grown) this.inserts.push({ at, indent, value: { [p.key]: grown[p.key] } });
      else this.inserts.push({ at, raw: `${' '.repeat(indent)}${text.slice(p.keyStart, p.value.end)}\n` });
    }
    if (Object.keys(added).length) this.inserts.push({ at, indent, value: added });
  }

  private version(root: FMap, version: string): void {
    const pair = fastPair(root, 'version');
    if (pair) {
      if (pair.value.kind !== 'scalar' || pair.value.block) unsupported('version is not a scalar');
      this.cuts.push({ from: pair.value.start, to: pair.value.end, text: yamlQuote(version) });
    } else this.inserts.push({ at: root.start, indent: 0, value: { version } });
  }

  private apply(): string {
    const text = this.text;
    const printed = printBlocks(this.inserts.flatMap((i) => ('value' in i ? [i.value] : [])));
    let next = 0;
    type Edit = { at: number; to: number; text: string; order: number };
    const edits: Edit[] = [
      // At one offset, inserts go first, in the order they were made (an entry before the entries after it).
      ...this.inserts.map((ins, i) => ({ at: ins.at, to: ins.at, text: 'value' in ins ? indent(printed[next++]!, ins.indent) : ins.raw, order: i })),
      ...this.cuts.map((c, i) => ({ at: c.from, to: c.to, text: c.text, order: this.inserts.length + i })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
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
