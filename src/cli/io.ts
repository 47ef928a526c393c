/**
 * The only place that touches the file system for the CLI: reading inputs
 * with size and encoding checks, and writing the output atomically.
 */
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { INTERRUPT_SIGNALS, type InterruptSignal } from './exit.js';
import { MAX_INPUT_BYTES, type SourceFile } from '../parse/parse.js';
// Node's own reader of .env text (KEY=VALUE, quotes, # comments, export): no dependency.
import { parseEnv } from 'node:util';

export type ReadResult = { file: SourceFile } | { error: Diagnostic };

const readError = (file: string, message: string, code: Diagnostic['code'] = 'FILE_READ'): ReadResult => ({
  error: { code, severity: 'error', file, path: [], message },
});

/** What `-f -` reads: standard input, shown under this name in messages. */
export const STDIN_NAME = '<stdin>';

const tooLarge = (file: string, what: string): ReadResult =>
  readError(file, `the file is ${what}; the limit is ${MAX_INPUT_BYTES / 1048576} MiB (a compose file is never this big)`, 'FILE_TOO_LARGE');

/**
 * At most `cap` bytes of an open file, read in chunks whatever fstat said (a
 * /dev/zero, a file still growing, /proc): undefined when there is more.
 */
function readUpTo(fd: number, cap: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 16, cap + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking standard input with nothing in it yet: wait for it (stdin is read only when asked, by -f -).
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw e;
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    total += n;
    if (total > cap) return undefined;
  }
}

/**
 * A compose file: a regular file (or standard input for `-f -`), read with a
 * byte cap. A FIFO, device, socket or directory is refused before anything
 * is read from it: opened non-blocking, checked on the open descriptor.
 */
export function readSource(file: string): ReadResult {
  const shown = file === '-' ? STDIN_NAME : file;
  let fd: number | undefined;
  let bytes: Buffer | undefined;
  try {
    if (file === '-') fd = 0;
    else {
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile()) return readError(file, st.isDirectory() ? 'is a directory, not a compose file' : `is ${kindOf(st)}, not a regular file${file.startsWith('/dev/') || file.startsWith('/proc/') ? ' (for standard input, give -f -)' : ''}`);
      if (st.size > MAX_INPUT_BYTES) return tooLarge(file, `${(st.size / 1048576).toFixed(1)} MiB`);
    }
    bytes = readUpTo(fd, MAX_INPUT_BYTES);
  } catch (e) {
    return readError(shown, describeFsError(e));
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
  if (bytes === undefined) return tooLarge(shown, `over ${MAX_INPUT_BYTES / 1048576} MiB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return readError(shown, 'is not UTF-8 text (binary data or another encoding)', 'YAML_SYNTAX');
  }
  return { file: { file: shown, text } };
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a compose file';
  return e instanceof Error ? e.message : String(e);
}

/** Same file by device and inode (catches `build -f x > x` too). */
export function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return resolvePath(a) === resolvePath(b);
  }
}

export function stdoutIsFile(file: string): boolean {
  try {
    const out = fstatSync(1);
    const st = statSync(file);
    return out.isFile() && out.dev === st.dev && out.ino === st.ino;
  } catch {
    return false;
  }
}

/**
 * The current output for --check: its text, undefined when there is none, or
 * a refusal (a FIFO or device is never opened for reading: that could hang).
 */
export function readExisting(file: string): { text?: string } | { error: Diagnostic } {
  const target = outputTarget(file);
  if ('error' in target) return target;
  if (!target.existing) return {};
  const r = readSource(target.path);
  if ('error' in r) return { error: { ...r.error, file } };
  return { text: r.file.text };
}

/** What a path is, in words, for a refusal. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const writeError = (file: string, message: string): Diagnostic => ({ code: 'FILE_WRITE', severity: 'error', file, path: [], message });

interface OutputTarget {
  /** The file actually replaced: FILE itself, or the file a symlink FILE points to (the link stays). */
  path: string;
  /** Of the file replaced, kept on the new one. */
  existing?: { mode: number; uid: number; gid: number };
}

/**
 * Where `-o FILE` writes. Only a regular file (or nothing) is replaced: a
 * device, FIFO, socket or directory is refused, since the rename would swap
 * it for a file (`-o /dev/null` as root). A symlink is followed and kept:
 * its target is replaced, atomically, in the target's own directory.
 */
export function outputTarget(file: string): OutputTarget | { error: Diagnostic } {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path: file };
    return { error: writeError(file, describeFsError(e)) };
  }
  let path = file;
  if (st.isSymbolicLink()) {
    try {
      path = realpathSync(file);
      st = statSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'points to a file that does not exist' : code === 'ELOOP' ? 'points to itself through a loop of links' : `cannot be followed (${describeFsError(e)})`;
      return { error: writeError(file, `is a symbolic link that ${why}; -o follows a link and replaces the file it points to, so create that file or remove the link`) };
    }
  }
  if (!st.isFile()) {
    return { error: writeError(file, `is ${kindOf(st)}${path !== file ? ` (through a symbolic link to ${path})` : ''}, not a regular file: -o replaces regular files only (-o - writes to standard output)`) };
  }
  return { path, existing: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } };
}


/** A write that did not replace FILE: refused, failed, or stopped by a signal (then `signal` says which). */
export interface WriteFailure {
  error: Diagnostic;
  signal?: InterruptSignal;
}

/** The write is done in pieces of this size, so that a signal is seen between two of them. */
const WRITE_CHUNK = 1 << 20;

/**
 * Test hook, for a deterministic signal test only: with COMPOSE_PERSIST_TEST_HOOK=pause-write the
 * write stops half way (the temporary file open and partly written), says so on stderr, and waits
 * for a signal.
 */
const pauseForTest = (): boolean => process.env.COMPOSE_PERSIST_TEST_HOOK === 'pause-write';

/** One turn of the event loop: a signal that came during a synchronous write is delivered to its listener in it. */
const signalsDelivered = (): Promise<void> => new Promise((res) => setImmediate(res));

/**
 * Write to a temporary file in the same directory, flush it, then rename:
 * a reader (or a crash) sees the old content or the new, never a part. The
 * replaced file's mode (and, as root, its owner) carry over. Returns the
 * refusal or failure; nothing is changed then, and no temporary file is left:
 * not on an error, not on SIGINT, SIGTERM or SIGHUP during the write (the
 * result then names the signal, for the exit code), not when the process
 * exits in the middle of it.
 *
 * The file calls are synchronous (node:fs/promises and its thread pool cost
 * every run a few milliseconds, for one small file): the event loop is given a
 * turn after each piece, and before the rename, so that a signal is still seen
 * between two pieces and, at the latest, before the old file is replaced.
 */
export async function writeAtomic(file: string, text: string): Promise<WriteFailure | undefined> {
  const target = outputTarget(file);
  if ('error' in target) return { error: target.error };
  // pid and a random part: a file left by a killed run never blocks a later one ('wx' refuses
  // to reuse a name). Math.random, not crypto: loading crypto costs every run milliseconds.
  const tmp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let signal: InterruptSignal | undefined;
  let wake: (() => void) | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    signal ??= s as InterruptSignal;
    wake?.();
  };
  let created = false;
  let fd: number | undefined;
  // Last resort: whatever ends the process while the temporary file exists removes it (synchronously, as 'exit' requires).
  const onExit = (): void => {
    if (created) removeQuietly(tmp);
  };
  const signals = Object.keys(INTERRUPT_SIGNALS) as InterruptSignal[];
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', onExit);
  const interrupted = (): WriteFailure | undefined =>
    signal && {
      signal,
      error: { code: 'INTERRUPTED', severity: 'error', file, path: [], message: `interrupted by ${signal} while writing: the file was left as it was and the temporary file removed` },
    };
  try {
    fd = openSync(tmp, 'wx', 0o666);
    created = true;
    if (target.existing) {
      // As root the new file would belong to root: give it the old owner first (chown clears set-id bits, so mode after).
      if (process.getuid?.() === 0) fchownSync(fd, target.existing.uid, target.existing.gid);
      fchmodSync(fd, target.existing.mode);
    }
    const buf = Buffer.from(text, 'utf8');
    const pauseAt = pauseForTest() ? buf.length >> 1 : -1;
    let off = 0;
    while (off < buf.length && !signal) {
      if (off >= pauseAt && pauseAt >= 0) {
        process.stderr.write(`compose-persist: test hook: writing paused at ${off} of ${buf.length} bytes in ${tmp}\n`);
        // A pending promise does not keep Node running: a timer does, until the signal wakes the write.
        const alive = setInterval(() => undefined, 1 << 30);
        await new Promise<void>((res) => (wake = res));
        clearInterval(alive);
        continue;
      }
      const end = Math.min(buf.length, off + WRITE_CHUNK, pauseAt > off ? pauseAt : buf.length);
      off += writeSync(fd, buf, off, end - off);
      if (off < buf.length) await signalsDelivered();
    }
    if (!signal) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    await signalsDelivered();
    // The last moment a signal can still keep the old file: after the rename the new one is complete.
    const stop = interrupted();
    if (stop) {
      removeQuietly(tmp);
      created = false;
      return stop;
    }
    renameSync(tmp, target.path);
    created = false;
    return undefined;
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* the error that brought us here is the one reported */
      }
    }
    // Only a file this run created is removed ('wx' failing means the name was someone else's).
    if (created) removeQuietly(tmp);
    created = false;
    return interrupted() ?? { error: writeError(file, describeFsError(e)) };
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', onExit);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* nothing was left */
  }
}

/** The user pattern directory: every *.yaml.hbs in it, in name order. */
export function readPatternDir(dir: string): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml.hbs'))
    .sort()
    .map((f) => {
      // Read like a compose file: a FIFO or /dev/zero named *.yaml.hbs must not hang the build.
      const r = readSource(join(dir, f));
      if ('error' in r) throw new Error(`${f} ${r.error.message}`);
      return r.file;
    });
}

/**
 * The variables Compose interpolates with: the environment over the env files (as Compose
 * ranks them). The env files are the --env-file ones, or else `.env` next to the first
 * compose file (the project directory). A given --env-file that cannot be read is an error;
 * a missing default .env is not.
 */
export function readVariables(firstFile: string | undefined, envFiles: readonly string[] | undefined, env: NodeJS.ProcessEnv): { variables: Record<string, string>; errors: Diagnostic[] } {
  const explicit = Boolean(envFiles?.length);
  const files = explicit ? envFiles! : firstFile !== undefined ? [join(dirname(firstFile), '.env')] : [];
  const variables: Record<string, string> = {};
  const errors: Diagnostic[] = [];
  for (const f of files) {
    // Read like a compose file: a FIFO or /dev/zero as .env must not hang or fill memory.
    const r = readSource(f);
    if ('error' in r) {
      if (explicit) errors.push({ code: 'FILE_READ', severity: 'error', file: f, path: [], message: `the env file cannot be read: ${r.error.message}` });
      continue;
    }
    Object.assign(variables, parseEnv(r.file.text));
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) variables[k] = v;
  return { variables, errors };
}

/** Whether path is dir or below it, symlinks resolved where they exist. */
export function insideDir(path: string, dir: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      // Not there (yet): its parent's real path, then the name.
      const parent = dirname(resolvePath(p));
      return parent === resolvePath(p) ? resolvePath(p) : join(real(parent), basename(p));
    }
  };
  const rel = relative(real(dir), real(path));
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
