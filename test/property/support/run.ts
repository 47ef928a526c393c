/** Shared settings and checks of the property tests. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { build, DIAG_CODES, type Diagnostic } from '../../../src/index.js';
import { composeSpecValidator } from '../../helpers/compose-spec.js';

/** `npm run fuzz` sets FUZZ_RUNS=20000; the default keeps all property files under ~15 s. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS) > 0 ? Number(process.env.FUZZ_RUNS) : 0;
export const SEED = Number(process.env.FUZZ_SEED ?? 42);

/** numRuns for a property whose default is `dflt` runs. */
export function runs(dflt: number): number {
  return FUZZ_RUNS || dflt;
}

export function params(dflt: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: runs(dflt), endOnFailure: true };
}

/** Per-test time budget: generous when fuzzing. */
export const TIMEOUT = FUZZ_RUNS ? 24 * 3600_000 : 60_000;

export const FILE = 'compose.persist.yaml';

export function buildOne(text: string, target: 'compose' | 'swarm' = 'compose') {
  return build([{ file: FILE, text }], { target });
}

export const errorsOf = (ds: readonly Diagnostic[]): Diagnostic[] => ds.filter((d) => d.severity === 'error');

/** A usable diagnostic: a known code, a position in the file, a message. */
export function expectWellFormed(ds: readonly Diagnostic[]): void {
  for (const d of ds) {
    expect(Object.keys(DIAG_CODES), `code of ${JSON.stringify(d)}`).toContain(d.code);
    expect(d.file).toBe(FILE);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.line, `line of ${d.code} ${d.message}`).toBeGreaterThanOrEqual(1);
    expect(d.col, `col of ${d.code} ${d.message}`).toBeGreaterThanOrEqual(1);
  }
}

export function expectComposeSpecValid(doc: unknown): void {
  const validate = composeSpecValidator();
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

/** Counts cases per property and prints them once at the end of a test. */
export class Counter {
  private counts = new Map<string, number>();
  hit(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }
  report(property: string): void {
    const parts = [...this.counts.entries()].sort().map(([k, v]) => `${k}=${v}`);
    console.log(`[property] ${property}: ${parts.join(', ')}`);
  }
}
