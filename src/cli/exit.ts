/**
 * The exit code of every command, from one pure function: 0 ok (warnings allowed), 1 invalid
 * input, a stale output or a failed operation, 2 usage error, 3 internal error (a bug),
 * 130/143/129 when SIGINT/SIGTERM/SIGHUP stopped the write of an output (the file left as it was).
 */
import { hasErrors, type Diagnostic } from '../diagnostics.js';

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;

/** The signals that end a write early, with the exit code a shell gives a run they stop (128 + number). */
export const INTERRUPT_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type InterruptSignal = keyof typeof INTERRUPT_SIGNALS;

/**
 * How a command ended, besides its diagnostics:
 * - `done`: it did its work; an error among the diagnostics still makes it exit 1;
 * - `failed`: invalid input, an operation that did not succeed, or a finding the command exits
 *   1 on (diff: data left behind; verify: an observation differs), with or without diagnostics;
 * - `usage`: the command line is wrong; `internal`: a bug;
 * - `interrupted`: a signal stopped the write of the output.
 */
export type Outcome = 'done' | 'failed' | 'usage' | 'internal' | { interrupted: InterruptSignal };

export function exitCode(diagnostics: readonly Diagnostic[], outcome: Outcome): number {
  if (typeof outcome === 'object') return INTERRUPT_SIGNALS[outcome.interrupted];
  if (outcome === 'usage') return EXIT.usage;
  // An INTERNAL diagnostic is a bug of ours (an output that did not read back), not the input's fault.
  if (outcome === 'internal' || diagnostics.some((d) => d.code === 'INTERNAL' && d.severity === 'error')) return EXIT.internal;
  return outcome === 'failed' || hasErrors(diagnostics) ? EXIT.invalid : EXIT.ok;
}
