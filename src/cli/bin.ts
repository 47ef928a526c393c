/** The executable: runs the CLI on the process's arguments and streams, sets the exit code. */
import { EXIT, main } from './main.js';

// A reader that stops early (`compose-persist build | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const color = Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env);
main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), color }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`compose-persist: internal error: ${String(e)}\n`);
    process.exitCode = EXIT.internal;
  },
);
