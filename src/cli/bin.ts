/** The executable: runs the CLI on the process's arguments and streams, sets the exit code. */
import { fstatSync, writeSync } from 'node:fs';
import { EXIT, main } from './main.js';
import { runComposeCheckThread, THREAD_ARG, threadedComposeCheck } from './compose-check-thread.js';

/** A terminal (or another character device: /dev/null) on fd; false for a file, a pipe or a socket, and for a closed fd. */
function onCharDevice(fd: 1 | 2): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return true;
  }
}

/** Standard output or error: write, and whether output is still held by Node's stream. */
interface Output {
  write: (s: string) => void;
  held: () => boolean;
}

/**
 * Writes to standard output or error. A file, a pipe or a socket is written with
 * fs.writeSync, as Node's own stream writes a file (a pipe on Linux is written at once too):
 * process.stdout/stderr load Node's stream modules (and net for a pipe), 1-2 ms of every run
 * that prints a warning. A terminal (or a closed fd, or /dev/null) gets Node's stream.
 */
function output(fd: 1 | 2): Output {
  let direct: boolean | undefined;
  let stream: NodeJS.WriteStream | undefined;
  const write = (s: string): void => {
    direct ??= !onCharDevice(fd);
    if (direct) return writeAll(fd, s);
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      // A reader that stops early (`compose-persist build | head`) is not an error worth a stack trace.
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
    }
    stream.write(s);
  };
  return { write, held: () => (stream?.writableLength ?? 0) > 0 };
}

function writeAll(fd: 1 | 2, s: string): void {
  const buf = Buffer.from(s, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A pipe another process made non-blocking, full: wait for its reader, as Node's stream would.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      // A reader that stops early (`compose-persist build | head`) is not an error worth a stack trace.
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    }
  }
}

/**
 * The commands that have done all their work when main returns (files read and written
 * synchronously): the process exits then, instead of waiting for Node to tear down its heap
 * and threads (1-2 ms of a 20-service build). The others end as Node ends them.
 */
const EXIT_AT_ONCE = new Set(['build', 'validate']);

function runCli(): void {
  // Colors on a terminal only (process.stderr is asked only when fd 2 can be one).
  const color = onCharDevice(2) && Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env);
  // Large outputs are checked against the Compose schema on a thread that runs this same script.
  const entry = process.argv[1];
  const stdout = output(1);
  const stderr = output(2);
  const args = process.argv.slice(2);
  const io = { stdout: stdout.write, stderr: stderr.write, color, ...(entry ? { composeCheck: threadedComposeCheck(entry) } : {}) };
  main(args, io).then(
    (code) => {
      process.exitCode = code;
      if (EXIT_AT_ONCE.has(args[0] ?? '') && !stdout.held() && !stderr.held()) process.exit(code);
    },
    (e: unknown) => {
      stderr.write(`compose-persist: internal error: ${String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

if (process.argv.includes(THREAD_ARG)) runComposeCheckThread();
else runCli();
