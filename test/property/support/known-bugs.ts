/**
 * Known bugs, reported to the lead with a minimal reproduction in
 * known-bugs.test.ts. The fuzzing properties skip (and count) the inputs that
 * hit one, so the suite stays green and still fuzzes everything else. When a
 * bug is fixed: delete its entry here and flip its it.fails in known-bugs.test.ts.
 */
export interface HostileCase {
  slot: string;
  value: string;
  /** Spliced into the YAML text as written (not quoted). */
  raw?: boolean;
}


export const KNOWN_HOSTILE_BUGS: { id: string; hits(c: HostileCase): boolean }[] = [
  // All found so far are fixed (BUG-1, 2, 3, 7, 17, 18, 19); their repros run in known-bugs.test.ts.
];

export function knownHostileBug(c: HostileCase): string | undefined {
  return KNOWN_HOSTILE_BUGS.find((b) => b.hits(c))?.id;
}

/**
 * BUG-4: some messages put the user's string in raw (not JSON-quoted): a line
 * break in it splits one diagnostic over several lines (and can forge a
 * `file:line:col: error ...` line for editors and grep). Codes seen so far.
 */
export const KNOWN_MULTILINE_CODES = new Set<string>([]);
