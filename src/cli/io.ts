/**
 * The only place that touches the file system for the CLI: reading inputs
 * with size and encoding checks, and writing the output atomically.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { MAX_INPUT_BYTES, type SourceFile } from '../parse/parse.js';
// Node's own reader of .env text (KEY=VALUE, quotes, # comments, export): no dependency.
import { parseEnv } from 'node:util';

export type ReadResult = { file: SourceFile } | { error: Diagnostic };

const readError = (file: string, message: string, code: Diagnostic['code'] = 'FILE_READ'): ReadResult => ({
  error: { code, severity: 'error', file, path: [], message },
});

export function readSource(file: string): ReadResult {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) return readError(file, 'is a directory, not a compose file');
    size = st.size;
  } catch (e) {
    return readError(file, describeFsError(e));
  }
  if (size > MAX_INPUT_BYTES) {
    return readError(file, `the file is ${(size / 1048576).toFixed(1)} MiB; the limit is ${MAX_INPUT_BYTES / 1048576} MiB (a compose file is never this big)`, 'FILE_TOO_LARGE');
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return readError(file, describeFsError(e));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return readError(file, 'is not UTF-8 text (binary data or another encoding)', 'YAML_SYNTAX');
  }
  return { file: { file, text } };
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

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Write to a temporary file in the same directory, flush it, then rename:
 * a reader (or a crash) sees the old content or the new, never a part.
 */
export function writeAtomic(file: string, text: string): void {
  // pid and a random part: a file left by a killed run never blocks a later one ('wx' refuses
  // to reuse a name). Math.random, not crypto: loading crypto costs every run milliseconds.
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing was left */
    }
    throw e;
  }
}

/** The user pattern directory: every *.yaml.hbs in it, in name order. */
export function readPatternDir(dir: string): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml.hbs'))
    .sort()
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
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
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : describeFsError(e);
      if (explicit) errors.push({ code: 'FILE_READ', severity: 'error', file: f, path: [], message: `the env file cannot be read: ${why}` });
      continue;
    }
    Object.assign(variables, parseEnv(text));
  }
  for (const [k, v] of Object.entries(env)) if (v !== undefined) variables[k] = v;
  return { variables, errors };
}
