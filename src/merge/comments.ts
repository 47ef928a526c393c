/**
 * Comments on the Document path, kept with what they are written next to.
 * yaml gives every comment line after a collection's last entry to the
 * deepest collection open there, whatever its column: a top-level comment
 * above `volumes:` becomes the trailing comment of the last service's last
 * list, and is printed inside it (and after whatever is appended to it).
 * `rehomeComments` reads the columns from the source and gives each line to
 * the collection its column says it belongs to: before the next entry of that
 * collection, or at its end. Lines indented deeper than a collection's
 * entries belong to its last entry: `appendItem` prints them before the
 * entries added after it, as the splice does.
 */
import { isMap, isNode, isPair, isScalar, isSeq, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { trimOf } from '../strings.js';

type Collection = YAMLMap | YAMLSeq;

/** Of a collection's trailing comment: how many first lines belong to its last entry (set by rehomeComments). */
const lastEntryLines = new WeakMap<Collection, number>();

interface Line {
  col: number;
  /** The comment's text after '#'; undefined for a blank line. */
  text?: string;
}

const column = (text: string, offset: number): number => offset - text.lastIndexOf('\n', offset - 1) - 1;

/** Column of a block collection's entries. */
function entryColumn(text: string, coll: Collection): number | undefined {
  const first = coll.items[0];
  const node = isPair(first) ? first.key : first;
  const start = isSeq(coll) ? coll.range?.[0] : isNode(node) ? node.range?.[0] : undefined;
  return start === undefined ? undefined : column(text, start);
}

/** The trailing comment lines of a collection as written, if they are what yaml read as its comment. */
function trailingLines(text: string, coll: Collection | Scalar): Line[] | undefined {
  const [, end, nodeEnd] = coll.range ?? [];
  if (end === undefined || nodeEnd === undefined || !coll.comment) return undefined;
  const lines: Line[] = [];
  for (const raw of text.slice(end, nodeEnd).split('\n')) {
    const m = /^( *)#(.*)$/.exec(raw);
    if (m) lines.push({ col: m[1]!.length, text: m[2]! });
    else if (raw.trim() === '') lines.push({ col: 0 });
    else return undefined;
  }
  while (lines.length && lines[0]!.text === undefined) lines.shift();
  while (lines.length && lines[lines.length - 1]!.text === undefined) lines.pop();
  // (yaml keeps a blank line after the comment as a final line end.)
  return toComment(lines) === trimOf(coll.comment, '\n') ? lines : undefined;
}

const toComment = (lines: readonly Line[]): string => lines.map((l) => l.text ?? '').join('\n');
const prepend = (lines: readonly Line[], existing: string | null | undefined): string => (existing ? `${toComment(lines)}\n${existing}` : toComment(lines));

/** The node whose commentBefore prints before an entry. */
const entryNode = (item: unknown): Node | undefined => (isPair(item) ? (isNode(item.key) ? item.key : undefined) : isNode(item) ? item : undefined);

/**
 * Give each trailing comment line of a collection to the collection its column
 * says (the nearest enclosing one whose entries are not right of it): before the
 * entry after the one it follows, or at the end of that collection.
 */
export function rehomeComments(doc: Document, text: string): void {
  const found: { coll: Collection | Scalar; ancestors: { coll: Collection; index: number }[] }[] = [];
  visit(doc, {
    Node(_, node, path) {
      // A block collection's trailing comment, or the comment lines under an empty value (`key:` then comments).
      const under = isScalar(node) && node.comment && node.range && /^[ ]*\n/.test(text.slice(node.range[1], node.range[2]));
      if (!under && ((!isMap(node) && !isSeq(node)) || node.flow || !node.comment)) return;
      const ancestors: { coll: Collection; index: number }[] = [];
      for (let i = 0; i < path.length; i++) {
        const p = path[i];
        if (!isMap(p) && !isSeq(p)) continue;
        const child = path[i + 1] ?? node;
        ancestors.push({ coll: p, index: (p.items as unknown[]).indexOf(child) });
      }
      found.push({ coll: node, ancestors });
    },
  });
  for (const { coll, ancestors } of found) {
    const lines = trailingLines(text, coll);
    // A scalar has no entries: all its lines go to the collections above.
    const own = isScalar(coll) ? Infinity : entryColumn(text, coll);
    if (!lines || own === undefined) continue;
    const keep: Line[] = [];
    // Lines for the collections above, in order; a line never goes deeper than the one before it.
    const moved: { to: number; lines: Line[] }[] = [];
    let level = ancestors.length; // ancestors.length: this collection
    let pending: Line[] = [];
    for (const line of lines) {
      if (line.text === undefined) {
        pending.push(line);
        continue;
      }
      let to = level;
      if (line.col < own) {
        to = Math.min(level, ancestors.length - 1);
        while (to > 0 && (entryColumn(text, ancestors[to]!.coll) ?? 0) > line.col) to--;
      }
      level = to;
      const group = to === ancestors.length ? keep : (moved[moved.length - 1]?.to === to ? moved[moved.length - 1]! : (moved.push({ to, lines: [] }), moved[moved.length - 1]!)).lines;
      if (group.length) group.push(...pending);
      pending = [];
      group.push(line);
    }
    if (!moved.length) {
      if (!isScalar(coll)) noteLastEntry(coll, keep, own);
      continue;
    }
    coll.comment = keep.length ? toComment(keep) : undefined;
    if (!isScalar(coll)) noteLastEntry(coll, keep, own);
    for (const { to, lines: group } of moved) {
      const { coll: target, index } = ancestors[to]!;
      const next = entryNode(target.items[index + 1]);
      if (next) next.commentBefore = prepend(group, next.commentBefore);
      else if (to === 0 && target === doc.contents) doc.comment = prepend(group, doc.comment);
      else {
        target.comment = prepend(group, target.comment);
        // Its first lines right of the target's entries belong to the target's last entry.
        const col = entryColumn(text, target) ?? 0;
        const deeper = leadingDeeper(group, col);
        const n = deeper === group.length ? deeper + (lastEntryLines.get(target) ?? 0) : deeper;
        if (n) lastEntryLines.set(target, n);
        else lastEntryLines.delete(target);
      }
    }
  }
}

function leadingDeeper(lines: readonly Line[], col: number): number {
  let n = 0;
  while (n < lines.length && (lines[n]!.text === undefined || lines[n]!.col > col)) n++;
  return n;
}

function noteLastEntry(coll: Collection, keep: readonly Line[], col: number): void {
  const n = leadingDeeper(keep, col);
  if (n) lastEntryLines.set(coll, n);
  else lastEntryLines.delete(coll);
}

/**
 * Append an entry to a collection; the comment lines that belong to its former
 * last entry stay before the new one (yaml would print them after it).
 */
export function appendItem(coll: Collection, item: Pair | Node): void {
  const n = lastEntryLines.get(coll);
  if (n && coll.comment) {
    const lines = coll.comment.split('\n');
    const target = entryNode(item);
    if (target) {
      target.commentBefore = prepend(lines.slice(0, n).map((t) => ({ col: 0, text: t })), target.commentBefore);
      const rest = lines.slice(n);
      coll.comment = rest.length ? rest.join('\n') : undefined;
    }
    lastEntryLines.delete(coll);
  }
  (coll.items as unknown[]).push(item);
}

/**
 * The comment lines above a key that stay when its entry is removed: those
 * separated from the key by a blank line (the ones right above it go with it,
 * as the splice cuts them).
 */
export function keptBefore(pair: Pair): string | undefined {
  const key = pair.key;
  const before = isScalar(key) || isNode(key) ? (key as Node).commentBefore : undefined;
  if (!before) return undefined;
  const lines = before.split('\n');
  const blank = lines.lastIndexOf('');
  return blank > 0 ? lines.slice(0, blank).join('\n') : undefined;
}

/** Before an entry of a mapping is removed: the comments above it that are not its own go to what follows it. */
export function keepCommentsAbove(doc: Document, map: YAMLMap, pair: Pair): void {
  const kept = keptBefore(pair);
  if (!kept) return;
  const next = entryNode(map.items[map.items.indexOf(pair) + 1]);
  if (next) next.commentBefore = next.commentBefore ? `${kept}\n${next.commentBefore}` : kept;
  else if (map === doc.contents) doc.comment = doc.comment ? `${kept}\n${doc.comment}` : kept;
  else map.comment = map.comment ? `${kept}\n${map.comment}` : kept;
}
