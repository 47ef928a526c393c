/**
 * Where things are in a source text, the one interface both readers give
 * (the fast reader's tree, yaml's Document): the offset of every key and
 * value by path, what is written at a path (the stage that plans the output's
 * edits asks it), and line:col of an offset. Offsets become line:col here
 * only, as yaml's LineCounter does it: the line starts found once, then a
 * binary search per offset.
 */
import type { YamlPath } from '../diagnostics.js';

export interface LinePos {
  line: number;
  col: number;
}

/** line:col of offsets in one text (1-based, col counted in UTF-16 units as yaml counts them). */
export class LineIndex {
  private constructor(private readonly starts: readonly number[]) {}

  /** The line starts of a text: after every line feed. */
  static ofText(text: string): LineIndex {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return new LineIndex(starts);
  }

  /** The line starts yaml's parser reported (its LineCounter), not found a second time. */
  static ofLineStarts(starts: readonly number[]): LineIndex {
    return new LineIndex(starts.length ? starts : [0]);
  }

  linePos(offset: number): LinePos {
    const starts = this.starts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 1, col: offset + 1 };
    return { line: low, col: offset - starts[low - 1]! + 1 };
  }
}

/** line:col of one offset in a text (a diagnostic made before any reader ran). */
export function linePosIn(text: string, offset: number): LinePos {
  return LineIndex.ofText(text).linePos(offset);
}

/** What is written at a path, as the planner of the output's edits needs to know it. */
export interface WrittenNode {
  kind: 'map' | 'seq' | 'scalar' | 'alias';
  /** An anchor on the node: others may refer to it, so it is not edited in place. */
  anchor?: string;
  /** A flow collection (`[a]`, `{a: 1}`). */
  flow: boolean;
  /** Keys written in the mapping itself (merge keys and what they bring in excluded); aliases followed. */
  ownKeys?: ReadonlySet<string>;
}

export interface SourceIndex {
  /**
   * Offset of the value at a path (of the deepest part of it that exists), or of its
   * key with `preferKey` when the whole path exists. Aliases are followed.
   */
  offsetOf(path: YamlPath, preferKey?: boolean): number | undefined;
  /** The node written at a path: each step an own entry of a mapping (not one a merge key brings in) or a list item; aliases followed. */
  written(path: YamlPath): WrittenNode | undefined;
  /** line:col of an offset in the text (a LineIndex's). */
  linePos(offset: number): LinePos;
}

/** line:col of the value at a path (or its key): the one way a path becomes a position. */
export function positionIn(index: SourceIndex, path: YamlPath, preferKey = false): LinePos | undefined {
  const offset = index.offsetOf(path, preferKey);
  return offset === undefined ? undefined : index.linePos(offset);
}
