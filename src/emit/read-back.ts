/**
 * Every printed output is read back (build's by every printer, init's) and
 * must mean exactly the data it was printed from, or it is not written: the
 * one reader of printed texts, the fast reader where it can (ten times
 * faster than yaml), else the full parser.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseSource } from '../parse/parse.js';
import { fastParse } from '../yaml/fast-parse.js';
import { fastMeans, fastToData } from '../yaml/fast-tree.js';

/** A printed text as read back: its data, and whether it means given data. */
export interface ReadBack {
  /** Undefined when no reader accepts the text. */
  data: unknown;
  means(expected: unknown): boolean;
}

/** Every printed output is read again, by the fast reader where it can (ten times faster than yaml), else by the full parser. */
export function readBack(text: string): ReadBack {
  const fast = fastParse(text);
  if (fast && !fast.duplicate) {
    // The data is made only when asked (a text that reads back as expected never needs it).
    let data: unknown;
    let made = false;
    return {
      get data() {
        if (!made) [data, made] = [fastToData(fast), true];
        return data;
      },
      means: once((expected) => fastMeans(fast, expected)),
    };
  }
  const r = parseSource({ file: '(output)', text }, { fast: false });
  const data = r.value?.data;
  return { data, means: once((expected) => r.value !== undefined && isDeepStrictEqual(data, expected)) };
}

/** A comparison asked twice with the same data (the splice path, then the final check) is made once: 0.15 s on 10,000 services. */
function once(compare: (expected: unknown) => boolean): (expected: unknown) => boolean {
  let last: { expected: unknown; result: boolean } | undefined;
  return (expected) => {
    if (last === undefined || last.expected !== expected) last = { expected, result: compare(expected) };
    return last.result;
  };
}
