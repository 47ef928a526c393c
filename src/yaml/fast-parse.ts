/**
 * A fast reader for the YAML that compose files are written in: block
 * mappings and lists, one-line flow collections, plain and one-line quoted
 * scalars, literal and folded block scalars, comments, anchors, aliases and
 * `<<` merge keys. It keeps what the later stages need from the source: the
 * offset of every key and value (positions for messages, places to splice
 * the output into).
 *
 * It is a fast path, not a second YAML implementation: on anything outside
 * that subset (tags, multi-line scalars, tabs, CR, duplicate keys, an
 * unusual layout, an error) it gives up and returns undefined, and the
 * caller reads the file with the full parser (`yaml`), which also makes the
 * error messages. Where it accepts, it must give exactly what `yaml` gives:
 * test/unit/fast-parse.test.ts compares data and positions on every sample,
 * fixture and corpus file, and on generated input.
 */

export type FNode = FMap | FSeq | FScalar | FAlias;

interface FBase {
  /** Offset where the node starts, as yaml's range[0] (after its anchor). */
  start: number;
  /** Offset just after the node's last character (not its trailing comment). */
  end: number;
  anchor?: string;
  /** Nodes as written, and as an expanding reader would see them (each alias counting its anchor's tree). */
  size: number;
}

export interface FPair {
  key: string;
  keyStart: number;
  /** A plain `<<`: a merge key. */
  merge: boolean;
  value: FNode;
}

export interface FMap extends FBase {
  kind: 'map';
  flow: boolean;
  /** Column of the keys (block mappings). */
  indent: number;
  pairs: FPair[];
}

export interface FSeq extends FBase {
  kind: 'seq';
  flow: boolean;
  /** Column of the `-` (block lists). */
  indent: number;
  items: FNode[];
}

export interface FScalar extends FBase {
  kind: 'scalar';
  value: unknown;
  /** A block scalar (`|`, `>`): its text runs over the lines after the indicator. */
  block?: boolean;
}

export interface FAlias extends FBase {
  kind: 'alias';
  name: string;
  /** The anchored node (never an alias: an alias takes no anchor). */
  target: Anchorable;
}

export type Anchorable = FMap | FSeq | FScalar;

export interface FastDoc {
  root: FMap;
  /** Nodes as written (pairs not counted, as yaml's node count). */
  written: number;
  /** Every alias, in document order (an edit must not change what one of them means). */
  aliases: FAlias[];
  /**
   * The key a full reader's check would report as repeated: the first repeat in the
   * first mapping (in document order of where mappings start) that has one.
   */
  duplicate?: { key: string; offset: number };
}

/** Thrown to give up; caught in fastParse only. */
const GIVE_UP = Symbol('give up');
type GiveUp = typeof GIVE_UP;

/** Characters that never occur in the subset: tabs, CR, and all YAML would refuse or treat specially. */
const OUTSIDE = /[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\ufeff\u2028\u2029\ud800-\udfff]/;
/** A plain scalar may not start with these (YAML indicators), by char code. */
const INDICATOR = new Uint8Array(128);
for (const c of "-?:,[]{}#&*!|>'\"%@`") INDICATOR[c.charCodeAt(0)] = 1;
/** First characters of a plain scalar that no core-schema tag (null, bool, int, float) starts with. */
const ALWAYS_STRING = new Uint8Array(128);
for (const c of 'abcdeghijklmopqrsuvwxyzABCDEGHIJKLMOPQRSUVWXYZ_/$') ALWAYS_STRING[c.charCodeAt(0)] = 1;
/** Keys that would change an object's prototype when read into plain data. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_KEY_LENGTH = 1000;

/** YAML 1.2 core schema, as yaml resolves a plain scalar (same tests, same order). */
export function resolvePlain(s: string): unknown {
  // Most scalars are names, paths or images: no core tag starts with these letters.
  const c = s.charCodeAt(0);
  if (c < 128 && ALWAYS_STRING[c]) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

class Reader {
  private readonly anchors = new Map<string, Anchorable>();
  /** Anchors whose node is still being read: an alias to one of them is recursive. */
  private readonly open = new Set<string>();
  written = 0;
  readonly aliases: FAlias[] = [];
  private duplicate?: { key: string; offset: number; map: number };
  /** A line start: where the next block construct is looked for. */
  private pos = 0;

  constructor(private readonly s: string) {}

  private fail(): never {
    throw GIVE_UP;
  }

  private eol(p: number): number {
    const i = this.s.indexOf('\n', p);
    return i < 0 ? this.s.length : i;
  }

  /** indexOf within the line: never scans past `end` (a search to the end of a large file per scalar is quadratic). */
  private find(what: string, from: number, end: number): number {
    const s = this.s;
    const c = what.charCodeAt(0);
    for (let i = from; i < end; i++) if (s.charCodeAt(i) === c && s.startsWith(what, i)) return i;
    return -1;
  }

  private spaces(p: number): number {
    while (this.s.charCodeAt(p) === 32) p++;
    return p;
  }

  /** The last contentLine answer: afterInline looks ahead, and the caller asks again. */
  private peekFrom = -1;
  private peekAt = -1;

  /** From a line start, the start of the next line with content (not blank, not only a comment). */
  private contentLine(p: number): number {
    if (p === this.peekFrom) return this.peekAt;
    const r = this.scanContentLine(p);
    this.peekFrom = p;
    this.peekAt = r;
    return r;
  }

  private scanContentLine(p: number): number {
    const s = this.s;
    while (p < s.length) {
      const i = this.spaces(p);
      const c = s[i];
      if (c === '\n') p = i + 1;
      else if (c === '#') p = this.eol(i) + 1;
      else if (i >= s.length) return s.length;
      else return p;
    }
    return s.length;
  }

  /** After a value: nothing but spaces and a comment up to the end of the line. Returns the next line start. */
  private lineRest(p: number): number {
    const s = this.s;
    const i = this.spaces(p);
    if (i >= s.length) return s.length;
    if (s[i] === '\n') return i + 1;
    if (s[i] === '#' && i > p) return this.eol(i) + 1;
    return this.fail();
  }

  document(): FastDoc {
    const s = this.s;
    const first = this.contentLine(0);
    if (first >= s.length || s[first] === ' ') this.fail();
    const root = this.blockMap(first, 0);
    if (this.contentLine(this.pos) < s.length) this.fail();
    const dup = this.duplicate;
    return { root, written: this.written, aliases: this.aliases, ...(dup ? { duplicate: { key: dup.key, offset: dup.offset } } : {}) };
  }

  private isDash(i: number): boolean {
    const n = this.s[i + 1];
    return this.s[i] === '-' && (n === ' ' || n === '\n' || n === undefined);
  }

  /** A key at offset k, up to and including its `:`; undefined when the line holds no key there. */
  private key(k: number): { key: string; merge: boolean; after: number } | undefined {
    const s = this.s;
    const c = s[k];
    let text: string;
    let colon: number;
    let quoted = false;
    if (c === '"' || c === "'") {
      const q = this.quoted(k);
      const n = s[q.end + 1];
      if (s[q.end] !== ':' || (n !== ' ' && n !== '\n' && n !== undefined)) return undefined;
      text = q.value;
      colon = q.end;
      quoted = true;
    } else {
      const c0 = s.charCodeAt(k);
      if (Number.isNaN(c0) || (c0 < 128 && INDICATOR[c0]) || c0 === 32 || c0 === 10) return undefined;
      // One pass to the `:` that ends the key (followed by a space, a line end or the end).
      let i = k;
      for (;; i++) {
        const ch = s.charCodeAt(i);
        if (Number.isNaN(ch) || ch === 10) return undefined;
        if (ch === 58) {
          const n = s.charCodeAt(i + 1);
          if (n === 32 || n === 10 || Number.isNaN(n)) break;
        } else if (ch === 35 && s.charCodeAt(i - 1) === 32) return undefined; // a comment before any `: `
      }
      colon = i;
      if (s.charCodeAt(colon - 1) === 32) this.fail();
      text = s.slice(k, colon);
    }
    if (colon - k > MAX_KEY_LENGTH) this.fail();
    if (!quoted && text === '<<') return { key: '<<', merge: true, after: colon + 1 };
    const value = quoted ? text : resolvePlain(text);
    if (value === null || value === '') this.fail();
    const key = String(value);
    if (UNSAFE_KEYS.has(key)) this.fail();
    this.written++;
    return { key, merge: false, after: colon + 1 };
  }

  private blockMap(lineStart: number, indent: number): FMap {
    const s = this.s;
    const pairs: FPair[] = [];
    // Repeats: a scan of the pairs while the mapping is small, a Set after (no Set for most mappings).
    let seen: Set<string> | undefined;
    const map: FMap = { kind: 'map', flow: false, indent, pairs, start: lineStart + indent, end: 0, size: 1 };
    this.written++;
    let r = lineStart;
    for (;;) {
      const k = r + indent;
      const key = this.key(k);
      if (!key) this.fail();
      if (!key.merge) {
        if (pairs.length === 8) seen = new Set(pairs.filter((p) => !p.merge).map((p) => p.key));
        if (seen ? seen.has(key.key) : pairs.some((p) => !p.merge && p.key === key.key)) this.repeated(key.key, k, map.start);
        seen?.add(key.key);
      } else this.written++;
      const value = this.valueAfter(key.after, indent, true);
      if (key.merge && !this.mergeable(value)) this.fail();
      pairs.push({ key: key.key, keyStart: k, merge: key.merge, value });
      map.size += 1 + value.size;
      map.end = value.end;
      r = this.contentLine(this.pos);
      if (r >= s.length) break;
      const ind = this.spaces(r) - r;
      if (ind > indent) this.fail();
      if (ind < indent) break;
      if (this.isDash(r + ind)) this.fail();
    }
    this.pos = r;
    return map;
  }

  /** A repeated key: kept (the file is read on, so that any other problem still sends it to the full parser). */
  private repeated(key: string, offset: number, map: number): void {
    const d = this.duplicate;
    if (!d || map < d.map) this.duplicate = { key, offset, map };
  }

  private mergeable(n: FNode): boolean {
    const target = (x: FNode): FNode => (x.kind === 'alias' ? x.target : x);
    if (target(n).kind === 'map') return true;
    return n.kind === 'seq' && n.items.every((i) => target(i).kind === 'map');
  }

  private blockSeq(lineStart: number, indent: number): FSeq {
    const s = this.s;
    const items: FNode[] = [];
    const seq: FSeq = { kind: 'seq', flow: false, indent, items, start: lineStart + indent, end: 0, size: 1 };
    this.written++;
    let r = lineStart;
    for (;;) {
      const item = this.seqItem(r + indent + 1, indent);
      items.push(item);
      seq.size += item.size;
      seq.end = item.end;
      r = this.contentLine(this.pos);
      if (r >= s.length) break;
      const ind = this.spaces(r) - r;
      if (ind > indent) this.fail();
      if (ind < indent || !this.isDash(r + ind)) break;
    }
    this.pos = r;
    return seq;
  }

  /** The item after a `-` at column `indent`; a `key: value` there starts a mapping at that key's column. */
  private seqItem(after: number, indent: number): FNode {
    const p = this.spaces(after);
    const c = this.s[p];
    if (c !== '&' && c !== '*' && c !== '\n' && c !== '#' && p < this.s.length && !this.isDash(p) && this.key(p) !== undefined) {
      // key() counted the key; blockMap counts it again.
      this.written--;
      const lineStart = this.lineStartOf(p);
      return this.blockMap(lineStart, p - lineStart);
    }
    if (this.isDash(p)) this.fail();
    return this.valueAfter(after, indent, false);
  }

  private lineStartOf(p: number): number {
    return this.s.lastIndexOf('\n', p - 1) + 1;
  }

  /**
   * The value after an indicator (`key:` or `-`) at offset `a`, in a
   * construct at column `indent`. Leaves pos at the start of the next line.
   */
  private valueAfter(a: number, indent: number, inMap: boolean): FNode {
    const s = this.s;
    let p = this.spaces(a);
    let anchor: string | undefined;
    if (s[p] === '&') {
      const e = this.nameEnd(p + 1);
      anchor = s.slice(p + 1, e);
      if (!anchor || (s[e] !== ' ' && s[e] !== '\n' && e < s.length)) this.fail();
      p = this.spaces(e);
      this.open.add(anchor);
    }
    const c = s[p];
    let node: FNode;
    if (p >= s.length || c === '\n' || (c === '#' && p > a)) {
      node = this.below(p, indent, inMap);
    } else if (c === '*') {
      if (anchor !== undefined) this.fail();
      node = this.alias(p);
      this.afterInline(node.end, indent);
    } else if (c === '|' || c === '>') {
      node = this.blockScalar(p, indent);
    } else if (c === '"' || c === "'") {
      const q = this.quoted(p);
      if (q.end < 0) this.fail();
      node = this.scalar(q.value, p, q.end);
      this.afterInline(q.end, indent);
    } else if (c === '[' || c === '{') {
      node = this.flow(p);
      this.afterInline(node.end, indent);
    } else if (c === '!' || c === '&' || c === '%' || c === '@' || c === '`' || c === ',' || c === ']' || c === '}' || c === '#' || ((c === '-' || c === '?' || c === ':') && /[ \n]/.test(s[p + 1] ?? '\n'))) {
      this.fail();
    } else {
      // One pass to the line end: a comment ends the scalar; `: ` or a final `:` would make it a key.
      let end = p;
      for (;; end++) {
        const ch = s.charCodeAt(end);
        if (Number.isNaN(ch) || ch === 10) break;
        if (ch === 35 && s.charCodeAt(end - 1) === 32) break;
        if (ch === 58) {
          const n = s.charCodeAt(end + 1);
          if (n === 32 || n === 10 || Number.isNaN(n)) this.fail();
        }
      }
      while (s.charCodeAt(end - 1) === 32) end--;
      const text = s.slice(p, end);
      node = this.scalar(resolvePlain(text), p, end);
      this.afterInline(end, indent);
    }
    if (anchor !== undefined) {
      if (node.kind === 'alias') this.fail();
      this.open.delete(anchor);
      node.anchor = anchor;
      this.anchors.set(anchor, node);
    }
    return node;
  }

  /** After a one-line value: rest of the line, and no more-indented line after it (a multi-line scalar). */
  private afterInline(end: number, indent: number): void {
    const next = this.lineRest(end);
    const r = this.contentLine(next);
    if (r < this.s.length && this.spaces(r) - r > indent) this.fail();
    this.pos = next;
  }

  /** A value on the lines below its key (or dash): a mapping, a list, or nothing (null, at `at`). */
  private below(at: number, indent: number, inMap: boolean): FNode {
    const s = this.s;
    const r = this.contentLine(at >= s.length ? s.length : this.eol(at) + 1);
    if (r < s.length) {
      const ind = this.spaces(r) - r;
      if (this.isDash(r + ind) && (ind > indent || (inMap && ind === indent))) return this.blockSeq(r, ind);
      if (ind > indent) return this.blockMap(r, ind);
    }
    this.pos = r;
    return this.scalar(null, at, at);
  }

  private scalar(value: unknown, start: number, end: number): FScalar {
    this.written++;
    return { kind: 'scalar', value, start, end, size: 1 };
  }

  private nameEnd(p: number): number {
    const s = this.s;
    while (p < s.length && !/[ \n,[\]{}]/.test(s[p]!)) p++;
    return p;
  }

  private alias(p: number): FAlias {
    const e = this.nameEnd(p + 1);
    const name = this.s.slice(p + 1, e);
    const target = this.anchors.get(name);
    if (!name || !target || this.open.has(name)) this.fail();
    this.written++;
    const alias: FAlias = { kind: 'alias', name, target, start: p, end: e, size: target.size };
    this.aliases.push(alias);
    return alias;
  }

  /** A quoted scalar on one line: its value and the offset after the closing quote (end -1: not closed on the line). */
  private quoted(p: number): { value: string; end: number } {
    const s = this.s;
    if (s[p] === "'") {
      let out = '';
      let i = p + 1;
      for (;;) {
        const e = this.eol(i);
        const q = this.find("'", i, e);
        if (q < 0 || q > e) this.fail();
        out += s.slice(i, q);
        if (s[q + 1] === "'") {
          out += "'";
          i = q + 2;
          continue;
        }
        return { value: out, end: q + 1 };
      }
    }
    let out = '';
    let i = p + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined || c === '\n') this.fail();
      if (c === '"') return { value: out, end: i + 1 };
      if (c !== '\\') {
        const j = this.nextSpecial(i);
        out += s.slice(i, j);
        i = j;
        continue;
      }
      const e = s[i + 1] ?? '';
      if (e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      const n = HEX_LENGTH[e];
      if (!n) this.fail();
      const hex = s.slice(i + 2, i + 2 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) this.fail();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) this.fail();
      out += n === 8 ? String.fromCodePoint(code) : String.fromCharCode(code);
      i += 2 + n;
    }
  }

  private nextSpecial(i: number): number {
    const s = this.s;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34 || c === 92 || c === 10) return i;
      i++;
    }
    return i;
  }

  /** `|` or `>` with an optional `-` (strip); keep (`+`) and indentation digits are left to the full parser. */
  private blockScalar(p: number, indent: number): FScalar {
    const s = this.s;
    const folded = s[p] === '>';
    let h = p + 1;
    const strip = s[h] === '-';
    if (strip) h++;
    const next = this.lineRest(h);
    const lines: string[] = [];
    let contentIndent = -1;
    let r = next;
    let end = h;
    let blank = 0;
    while (r < s.length) {
      const i = this.spaces(r);
      const e = this.eol(r);
      if (i === e) {
        // An all-space line: empty, unless it has more spaces than the content's indentation.
        if (contentIndent >= 0 ? i - r > contentIndent : i > r) this.fail();
        lines.push('');
        blank++;
        r = e + 1;
        continue;
      }
      const ind = i - r;
      if (contentIndent < 0) {
        if (ind <= indent) break;
        contentIndent = ind;
      }
      if (ind < contentIndent) break;
      // More-indented lines and comments-looking text are content; folding of the former is not handled here.
      if (folded && ind > contentIndent) this.fail();
      lines.push(s.slice(r + contentIndent, e));
      blank = 0;
      end = e;
      r = e + 1;
    }
    if (r > s.length) r = s.length;
    const content = lines.slice(0, lines.length - blank);
    // Leading empty lines of a folded scalar are kept as line breaks: left to the full parser.
    if (folded && content[0] === '') this.fail();
    let value: string;
    if (folded) {
      value = '';
      for (let i = 0; i < content.length; i++) {
        const line = content[i]!;
        if (i === 0) value = line;
        else if (line === '') value += '\n';
        else value += content[i - 1] === '' ? line : ` ${line}`;
      }
    } else value = content.join('\n');
    if (content.length && !strip) value += '\n';
    if (contentIndent < 0 && lines.length === 0) end = h;
    this.pos = r;
    this.written++;
    return { kind: 'scalar', value, start: p, end, size: 1, block: true };
  }

  /** A flow collection that closes on its own line; no anchors, aliases or tags inside. */
  private flow(p: number): FMap | FSeq {
    const s = this.s;
    const open = s[p];
    const close = open === '[' ? ']' : '}';
    let i = this.spaces(p + 1);
    this.written++;
    if (open === '[') {
      const seq: FSeq = { kind: 'seq', flow: true, indent: 0, items: [], start: p, end: 0, size: 1 };
      if (s[i] === ']') return { ...seq, end: i + 1 };
      for (;;) {
        const item = this.flowItem(i);
        seq.items.push(item);
        seq.size += item.size;
        const next = this.flowNext(item.end, close);
        if (next.end === undefined) i = next.at;
        else return { ...seq, end: next.end };
      }
    }
    const map: FMap = { kind: 'map', flow: true, indent: 0, pairs: [], start: p, end: 0, size: 1 };
    if (s[i] === '}') return { ...map, end: i + 1 };
    const seen = new Set<string>();
    for (;;) {
      const keyNode = this.flowItem(i, true);
      if (keyNode.kind !== 'scalar' || s[keyNode.end] !== ':' || s[keyNode.end + 1] !== ' ') this.fail();
      const raw = keyNode.value;
      if (raw === null || raw === '' || (s[i] !== '"' && s[i] !== "'" && raw === '<<')) this.fail();
      const key = String(raw);
      if (UNSAFE_KEYS.has(key)) this.fail();
      if (seen.has(key)) this.repeated(key, i, p);
      seen.add(key);
      const v = this.spaces(keyNode.end + 1);
      if (s[v] === ',' || s[v] === '}') this.fail();
      const value = this.flowItem(v);
      map.pairs.push({ key, keyStart: i, merge: false, value });
      map.size += 1 + value.size;
      const next = this.flowNext(value.end, close);
      if (next.end === undefined) i = next.at;
      else return { ...map, end: next.end };
    }
  }

  /** After an entry of a flow collection: where the next entry starts, or where the collection ends. */
  private flowNext(after: number, close: string): { at: number; end?: number } {
    const s = this.s;
    const i = this.spaces(after);
    if (s[i] === ',') {
      const at = this.spaces(i + 1);
      // A trailing comma (`[a, ]`) is left to the full parser.
      if (s[at] === close) this.fail();
      return { at };
    }
    if (s[i] !== close) this.fail();
    return { at: i, end: i + 1 };
  }

  private flowItem(p: number, isKey = false): FNode {
    const s = this.s;
    const c = s[p];
    if (c === '[' || c === '{') {
      if (isKey) this.fail();
      return this.flow(p);
    }
    if (c === '"' || c === "'") {
      const q = this.quoted(p);
      const n = s[q.end];
      if (n !== ',' && n !== ']' && n !== '}' && n !== ' ' && n !== ':') this.fail();
      return this.scalar(q.value, p, q.end);
    }
    const code = s.charCodeAt(p);
    if (Number.isNaN(code) || (code < 128 && INDICATOR[code])) this.fail();
    let i = p;
    for (;;) {
      const ch = s[i];
      if (ch === undefined || ch === '\n') this.fail();
      if (ch === ',' || ch === '[' || ch === ']' || ch === '{' || ch === '}') break;
      if (ch === ':' && /[ ,\]}\n]/.test(s[i + 1] ?? '\n')) break;
      if (ch === '#' && s[i - 1] === ' ') this.fail();
      i++;
    }
    let end = i;
    while (s[end - 1] === ' ') end--;
    if (s[i] === '[' || s[i] === '{') this.fail();
    return this.scalar(resolvePlain(s.slice(p, end)), p, end);
  }
}

/** The file read by the fast path, or undefined when it is outside the subset (use the full parser). */
export function fastParse(text: string): FastDoc | undefined {
  if (OUTSIDE.test(text)) return undefined;
  if (/^(?:---|\.\.\.|%)/m.test(text)) {
    const one = blankMarkers(text);
    if (one === undefined) return undefined;
    text = one;
  }
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e === (GIVE_UP as GiveUp)) return undefined;
    // Deep nesting exhausts the stack: the full parser says so with a position.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * One document with its markers: a `%YAML 1.2` directive, one `---` before the
 * content, an optional `...` after it, each followed by nothing but a comment.
 * They carry no content, so they are read as blank (spaces, offsets unchanged);
 * anything else (a second document, a tag or value on the marker line, another
 * directive, YAML 1.1) is left to the full parser.
 */
function blankMarkers(text: string): string | undefined {
  let state: 'before' | 'body' | 'ended' = 'before';
  let started = false;
  let directive = false;
  let out = '';
  const re = /^.*$/gm;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (re.lastIndex === m.index) re.lastIndex++;
    const line = m[0];
    const marker = /^(---|\.\.\.|%YAML 1\.2)(?=[ ]|$)([ ]*(?:#.*)?)$/.exec(line);
    const blankOrComment = /^\s*(?:#.*)?$/.test(line);
    if (marker) {
      const kind = marker[1]!;
      if (kind === '---' ? state !== 'before' || started : kind === '...' ? state !== 'body' : state !== 'before' || started || directive) return undefined;
      if (kind === '---') state = 'body';
      else if (kind === '...') state = 'ended';
      else directive = true;
      out += text.slice(last, m.index) + ' '.repeat(kind.length) + marker[2]!;
      last = m.index + line.length;
      continue;
    }
    if (/^(?:---|\.\.\.|%)/.test(line)) return undefined;
    if (blankOrComment) continue;
    if (state === 'ended') return undefined;
    // Content without a `---` first: a later marker would start a second document.
    if (state === 'before') started = true;
  }
  if (directive && state === 'before') return undefined;
  return out + text.slice(last);
}
