/**
 * The Compose schema check of a large output on a second thread, while the
 * main thread writes the output and reads it back (10,000 services: the
 * check takes a quarter of a second that the two then share).
 *
 * The thread runs the same entry script as the process; it finds its task in
 * workerData. The main thread waits for it synchronously (the pipeline is
 * synchronous): the thread posts its diagnostics, then raises a shared flag;
 * the main thread waits on the flag and takes the message off the port. If
 * the thread cannot start or fails, the check runs on the main thread: the
 * output is never written unchecked.
 */
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import { checkComposeSpec } from '../check/compose-spec.js';
import type { Diagnostic } from '../diagnostics.js';

/** The thread's marker in its argv: the entry script tells a thread from a CLI run without loading worker_threads. */
export const THREAD_ARG = '--compose-persist-check-thread';
const TASK = 'compose-persist: compose check';

/** worker_threads and v8 on first use: loading them costs every short run milliseconds. */
function builtins(): { threads: typeof import('node:worker_threads'); v8: typeof import('node:v8') } {
  const req = createRequire(import.meta.url);
  return { threads: req('node:worker_threads') as typeof import('node:worker_threads'), v8: req('node:v8') as typeof import('node:v8') };
}
/**
 * Give up waiting after this long and check here instead. The main thread cannot see a
 * thread die while it waits (that news comes through the event loop), so the wait is bounded;
 * the check itself takes well under a second for the largest input accepted (8 MiB).
 */
const WAIT_MS = 10_000;

interface Task {
  task: typeof TASK;
  port: MessagePort;
  done: Int32Array;
  data: Uint8Array;
  file: string;
}

export type ComposeCheck = (output: unknown, file: string) => () => Diagnostic[];

/** A ComposeCheck that runs on a thread started from `entry` (this process's script). */
export function threadedComposeCheck(entry: string, waitMs = WAIT_MS): ComposeCheck {
  return (output, file) => {
    const here = (): Diagnostic[] => checkComposeSpec(output, file);
    const { threads, v8 } = builtins();
    const done = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new threads.MessageChannel();
    let worker: import('node:worker_threads').Worker;
    try {
      const task: Task = { task: TASK, port: port2, done, data: v8.serialize(output), file };
      worker = new threads.Worker(entry, { argv: [THREAD_ARG], workerData: task, transferList: [port2], stdout: true, stderr: true });
    } catch {
      port1.close();
      return here;
    }
    // A thread that fails is answered by the check here (no message on the port).
    worker.on('error', () => undefined);
    worker.unref();
    return () => {
      Atomics.wait(done, 0, 0, waitMs);
      const reply = threads.receiveMessageOnPort(port1);
      port1.close();
      void worker.terminate();
      return reply ? (reply.message as Diagnostic[]) : here();
    };
  };
}

/** In a thread started by threadedComposeCheck: do the check and answer. False anywhere else. */
export function runComposeCheckThread(): boolean {
  const { threads, v8 } = builtins();
  const task = (threads.isMainThread ? undefined : threads.workerData) as Task | undefined;
  if (task?.task !== TASK) return false;
  try {
    task.port.postMessage(checkComposeSpec(v8.deserialize(task.data), task.file));
  } catch {
    // No answer: the main thread checks by itself.
  } finally {
    // Raised even when the check threw: the main thread then finds no message and checks itself.
    Atomics.store(task.done, 0, 1);
    Atomics.notify(task.done, 0);
    task.port.close();
  }
  return true;
}
