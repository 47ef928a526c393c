/**
 * Bad-input corpus for the persistence block: each test/bad/NN-name.persist.yaml
 * holds ONE fault (its first line says which). For each:
 *   - the exact stderr of `validate -f FILE` plus a last line `exit N` must
 *     equal NN-name.expected.txt (UPDATE=1 writes the expectations; a missing one fails);
 *   - invariants: exit 1, at least one error line, a file:line:col: position
 *     on every error line, no stack trace, nothing on stdout from `build`.
 * KNOWN_ISSUES lists what the tool does wrong today, each as the behaviour
 * it should have, run with it.fails so the suite stays green; once fixed, the
 * it.fails turns red: delete the entry (and rerun with UPDATE=1).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedText } from '../helpers/expected.js';
import { cli, type CliRun } from '../helpers/run.js';

const DIR = 'test/bad';
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.persist.yaml'))
  .sort();

const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => / error [A-Z_]+ /.test(l));
const STACK = /^\s+at\s|\bError:|\n\s+at .*:\d+:\d+\)?$/m;

interface Known {
  reason: string;
  /** The behaviour the tool should have; it fails today. */
  want: (validate: CliRun, build: CliRun) => void;
}

/** Position of the first error line as [line, col]. */
const firstPos = (stderr: string): [number, number] => {
  const m = /:(\d+):(\d+): error /.exec(stderr);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
};
const oneError = (v: CliRun): void => {
  expect(errorLines(v.stderr)).toHaveLength(1);
};
const noSpuriousOneOf = (v: CliRun): void => {
  expect(v.stderr).not.toContain('is a mapping; expected a string');
};

export const KNOWN_ISSUES: Record<string, Known> = {
};

/** Cases whose basic invariants (exit 1, an error line, no build output) fail today. */
const INVARIANTS_FAIL: Record<string, string> = {};

const runs = new Map<string, { validate: CliRun; build: CliRun }>();

beforeAll(async () => {
  for (const c of cases) {
    const file = join(DIR, c);
    runs.set(c, { validate: await cli(['validate', '-f', file]), build: await cli(['build', '-f', file]) });
  }
});

describe('bad inputs (test/bad)', () => {
  it('has at least 40 cases, each with a one-line description of its fault', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) {
      expect(c).toMatch(/^\d\d-[A-Za-z0-9-]+\.persist\.yaml$/);
      expect(readFileSync(join(DIR, c), 'utf8')).toMatch(/^# fault: /);
    }
  });
  it('KNOWN_ISSUES and INVARIANTS_FAIL name existing cases', () => {
    for (const k of [...Object.keys(KNOWN_ISSUES), ...Object.keys(INVARIANTS_FAIL)]) expect(cases).toContain(k);
  });

  for (const c of cases) {
    describe(c, () => {
      it('stderr and exit code match the expectation', () => {
        const { validate } = runs.get(c)!;
        const actual = `${validate.stderr}exit ${validate.code}\n`;
        const expected = join(DIR, c.replace(/\.persist\.yaml$/, '.expected.txt'));
        expect(actual).toBe(expectedText(expected, actual));
      });

      const invariants = INVARIANTS_FAIL[c] ? it.fails : it;
      invariants(`invariants${INVARIANTS_FAIL[c] ? ` (known issue: ${INVARIANTS_FAIL[c]})` : ''}`, () => {
        const { validate, build } = runs.get(c)!;
        for (const r of [validate, build]) {
          expect(r.code).toBe(1);
          const errors = errorLines(r.stderr);
          expect(errors.length).toBeGreaterThanOrEqual(1);
          for (const line of errors) expect(line).toMatch(new RegExp(`^${DIR}/${c.replace(/\./g, '\\.')}:\\d+:\\d+: error [A-Z_]+ \\S`));
          // Every line is a diagnostic of this file (no stray output).
          for (const line of r.stderr.split('\n').filter(Boolean)) expect(line.startsWith(`${DIR}/${c}:`)).toBe(true);
          expect(r.stderr).not.toMatch(STACK);
          expect(r.stderr).not.toContain('internal error');
        }
        expect(validate.stdout).toBe('');
        expect(build.stdout).toBe('');
        // validate and build agree on the diagnostics.
        expect(build.stderr).toBe(validate.stderr);
      });

      const known = KNOWN_ISSUES[c];
      if (known) {
        it.fails(`known issue: ${known.reason}`, () => {
          const { validate, build } = runs.get(c)!;
          known.want(validate, build);
        });
      }
    });
  }
});
