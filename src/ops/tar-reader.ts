/**
 * Reads tar headers as the bytes go by (the archive is hashed in the same
 * pass): entry count, content bytes, and the mount root's own entry (`./`),
 * whose owner and mode restore puts back. ustar and GNU long-name entries,
 * as busybox and GNU tar write them.
 */

export interface TarSummary {
  /** Entries other than the root and metadata entries. */
  entries: number;
  /** Bytes of regular files. */
  bytes: number;
  root?: { uid: number; gid: number; mode: number };
  /** Two zero blocks were seen: the archive is complete. */
  ended: boolean;
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

function name(b: Uint8Array): string {
  let end = 0;
  while (end < 100 && b[end] !== 0) end++;
  return Buffer.from(b.subarray(0, end)).toString('utf8');
}

export class TarReader {
  private header = new Uint8Array(BLOCK);
  private have = 0;
  /** Data bytes (padded) still to skip. */
  private skip = 0;
  private zeros = 0;
  private first = true;
  readonly summary: TarSummary = { entries: 0, bytes: 0, ended: false };

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.summary.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
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
    if (type === 'L' || type === 'K' || type === 'x' || type === 'g') return;
    const n = name(h);
    if (this.first && (n === './' || n === '.')) {
      this.summary.root = { uid: octal(h, 108, 8), gid: octal(h, 116, 8), mode: octal(h, 100, 8) & 0o7777 };
      this.first = false;
      return;
    }
    this.first = false;
    this.summary.entries++;
    if (type === '0' || type === '\0' || type === '7') this.summary.bytes += size;
  }
}
