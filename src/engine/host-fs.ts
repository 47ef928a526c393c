/**
 * The host's file system as the data commands need it (backup directories,
 * archives, manifests): the second way out besides the Engine, so that the
 * ops logic stays testable with a fake. Archives themselves are written and
 * read by helper containers; this side hashes them, renames them into place
 * and writes the manifest last.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export interface HostFs {
  /** Creates the directory (and parents); an error message when it cannot. */
  mkdir(dir: string): Promise<string | undefined>;
  /** Whether the path exists. */
  exists(path: string): Promise<boolean>;
  /** Entries of a directory ([] when missing). */
  list(dir: string): Promise<string[]>;
  readText(path: string): Promise<string | undefined>;
  /** Writes a temp file beside it, then renames it: never a half-written file under that name. */
  writeAtomic(path: string, text: string): Promise<string | undefined>;
  rename(from: string, to: string): Promise<string | undefined>;
  /** Removes a file or directory tree if present. */
  remove(path: string): Promise<void>;
  /**
   * sha256 (hex) and size of a file. With `growing`, the file is read while another process
   * still writes it (a helper's tar): reading goes on until `growing` settles and the end is read.
   * `onChunk` sees every byte in order (the tar reader counts entries on the way).
   */
  hash(path: string, options?: { growing?: Promise<unknown>; onChunk?: (chunk: Uint8Array) => void; signal?: AbortSignal }): Promise<{ sha256: string; bytes: number } | { error: string }>;
  /** Whether the directory can be written (a probe file is written and removed). */
  writable(dir: string): Promise<string | undefined>;
}

const why = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  const map: Record<string, string> = { ENOSPC: 'no space left on the device', EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EDQUOT: 'disk quota exceeded' };
  return (err?.code && map[err.code]) ?? (e instanceof Error ? e.message : String(e));
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function nodeHostFs(): HostFs {
  return {
    async mkdir(dir) {
      try {
        await fsp.mkdir(dir, { recursive: true });
        return undefined;
      } catch (e) {
        return `cannot create ${dir}: ${why(e)}`;
      }
    },
    async exists(path) {
      try {
        await fsp.lstat(path);
        return true;
      } catch {
        return false;
      }
    },
    async list(dir) {
      try {
        return (await fsp.readdir(dir)).sort();
      } catch {
        return [];
      }
    },
    async readText(path) {
      try {
        return await fsp.readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    async writeAtomic(path, text) {
      const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
      try {
        const fh = await fsp.open(tmp, 'wx', 0o644);
        try {
          await fh.writeFile(text);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fsp.rename(tmp, path);
        return undefined;
      } catch (e) {
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
        return `cannot write ${path}: ${why(e)}`;
      }
    },
    async rename(from, to) {
      try {
        await fsp.rename(from, to);
        return undefined;
      } catch (e) {
        return `cannot rename ${from} to ${to}: ${why(e)}`;
      }
    },
    async remove(path) {
      await fsp.rm(path, { recursive: true, force: true }).catch(() => undefined);
    },
    async hash(path, options = {}) {
      const h = createHash('sha256');
      let bytes = 0;
      let settled = options.growing === undefined;
      options.growing?.then(() => (settled = true), () => (settled = true));
      const buf = Buffer.allocUnsafe(1 << 20);
      let fh: fsp.FileHandle | undefined;
      try {
        // A growing file may not exist yet when the helper container is still starting.
        while (!fh) {
          try {
            fh = await fsp.open(path, 'r');
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || settled) throw e;
            await sleep(20);
          }
        }
        for (;;) {
          if (options.signal?.aborted) return { error: 'interrupted' };
          const wasSettled = settled;
          const { bytesRead } = await fh.read(buf, 0, buf.length, bytes);
          if (bytesRead > 0) {
            const chunk = buf.subarray(0, bytesRead);
            h.update(chunk);
            options.onChunk?.(chunk);
            bytes += bytesRead;
            continue;
          }
          // End of what is written: done once the writer had finished before this read.
          if (wasSettled) break;
          await sleep(15);
        }
        return { sha256: h.digest('hex'), bytes };
      } catch (e) {
        return { error: `cannot read ${path}: ${why(e)}` };
      } finally {
        await fh?.close();
      }
    },
    async writable(dir) {
      const probe = join(dir, `.compose-persist-probe-${process.pid}`);
      try {
        await fsp.writeFile(probe, '');
        await fsp.rm(probe);
        return undefined;
      } catch (e) {
        return `the backup directory ${dir} cannot be written: ${why(e)}`;
      }
    },
  };
}
