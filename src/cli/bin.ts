/** The executable: runs the CLI on the process's arguments and streams, sets the exit code. */
import { EXIT, main } from './main.js';
import { runComposeCheckThread, THREAD_ARG, threadedComposeCheck } from './compose-check-thread.js';

function runCli(): void {
  // A reader that stops early (`compose-persist build | head`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const color = Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env);
  // Large outputs are checked against the Compose schema on a thread that runs this same script.
  const entry = process.argv[1];
  const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s), color, ...(entry ? { composeCheck: threadedComposeCheck(entry) } : {}) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`compose-persist: internal error: ${String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

if (process.argv.includes(THREAD_ARG)) runComposeCheckThread();
else runCli();
