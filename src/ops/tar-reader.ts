/**
 * Reads tar headers as the bytes go by (the archive is hashed in the same
 * pass): entry count, content bytes, and the mount root's own entry (`./`),
 * whose owner and mode restore puts back. ustar and GNU long-name entries,
 * as busybox and GNU tar write them.
 */
import { trimEndOf } from '../strings.js';

export interface TarSummary {
  /** Entries other than the root and metadata entries. */
  entries: number;
  /** Bytes of regular files. */
  bytes: number;
  root?: { uid: number; gid: number; mode: number };
  /** Two zero blocks were seen: the archive is complete. */
  ended: boolean;
  /**
   * Symbolic links with their owners (names as in the archive, e.g. ./sub/link): busybox tar
   * does not set a link's own owner on extraction, so restore sets it afterwards.
   */
  links: { name: string; uid: number; gid: number }[];
}

const BLOCK = 512;

function octal(b: Uint8Array, start: number, len: number): number {
  // GNU base-256 for large numbers: the high bit of the first byte.
  if (b[start]! & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = b[i]!;
    if (c === 0 || c === 32) {
      if (s) break;
      continue;
    }
    s += String.fromCharCode(c);
  }
  return s ? parseInt(s, 8) : 0;
}

function field(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(start, end)).toString('utf8');
}

/** The entry's name: POSIX ustar keeps a prefix apart (GNU tar uses that space otherwise). */
function name(b: Uint8Array): string {
  const n = field(b, 0, 100);
  const posix = b[257] === 0x75 && b[262] === 0 && b[263] === 0x30;
  const prefix = posix ? field(b, 345, 155) : '';
  return prefix ? `${prefix}/${n}` : n;
}

export class TarReader {
  private header = new Uint8Array(BLOCK);
  private have = 0;
  /** Data bytes (padded) still to skip. */
  private skip = 0;
  private zeros = 0;
  private first = true;
  /** A GNU long-name entry's data: the next entry's name. */
  private longName: Uint8Array[] | undefined;
  private pendingName: string | undefined;
  private longLeft = 0;
  readonly summary: TarSummary = { entries: 0, bytes: 0, ended: false, links: [] };

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.summary.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        if (this.longName && this.longLeft > 0) {
          const take = Math.min(n, this.longLeft);
          this.longName.push(chunk.slice(i, i + take));
          this.longLeft -= take;
          if (this.longLeft === 0) {
            this.pendingName = trimEndOf(Buffer.concat(this.longName).toString('utf8'), '\0');
            this.longName = undefined;
          }
        }
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(BLOCK - this.have, chunk.length - i);
      this.header.set(chunk.subarray(i, i + n), this.have);
      this.have += n;
      i += n;
      if (this.have === BLOCK) {
        this.have = 0;
        this.entry(this.header);
      }
    }
  }

  private entry(h: Uint8Array): void {
    if (h.every((c) => c === 0)) {
      if (++this.zeros === 2) this.summary.ended = true;
      return;
    }
    this.zeros = 0;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    this.skip = Math.ceil(size / BLOCK) * BLOCK;
    // Metadata entries: GNU long names/links, pax headers.
    if (type === 'L') {
      this.longName = [];
      this.longLeft = size;
      if (size === 0) this.longName = undefined;
      return;
    }
    if (type === 'K' || type === 'x' || type === 'g') return;
    const n = this.pendingName ?? name(h);
    this.pendingName = undefined;
    if (this.first && (n === './' || n === '.')) {
      this.summary.root = { uid: octal(h, 108, 8), gid: octal(h, 116, 8), mode: octal(h, 100, 8) & 0o7777 };
      this.first = false;
      return;
    }
    this.first = false;
    this.summary.entries++;
    if (type === '2') this.summary.links.push({ name: n, uid: octal(h, 108, 8), gid: octal(h, 116, 8) });
    if (type === '0' || type === '\0' || type === '7') this.summary.bytes += size;
  }
}
