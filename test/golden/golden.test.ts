/**
 * Golden outputs for every sample (UPDATE=1 writes them; a missing one fails), each checked
 * against the Compose Specification schema pinned in ../shared/compose-spec.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeSpecValidator } from '../helpers/compose-spec.js';
import { expectedText } from '../helpers/expected.js';
import { buildFile } from '../helpers/run.js';

const samples = readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort();

describe('golden outputs', () => {
  it('has a sample per pattern and a stack', () => {
    for (const p of ['none', 'volume', 'data-container', 'bind', 'shared-nfs', 'shared-cifs', 'shared-hostpath', 'plugin', 'stack']) {
      expect(samples).toContain(`${p}.persist.yaml`);
    }
  });
  for (const sample of samples) {
    for (const target of ['compose', 'swarm'] as const) {
      const name = sample.replace(/\.persist\.yaml$/, '');
      const golden = join('test/golden', `${name}${target === 'swarm' ? '.swarm' : ''}.yaml`);
      it(`${sample} (${target})`, () => {
        const r = buildFile(join('samples', sample), { target });
        if (target === 'swarm' && r.text === undefined) {
          // Refused on Swarm: the reason is the golden.
          const errors = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`).join('\n') + '\n';
          const file = golden.replace(/\.yaml$/, '.errors.txt');
          expect(errors).toBe(expectedText(file, errors));
          return;
        }
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(r.text).toBe(expectedText(golden, r.text!));
        const validate = composeSpecValidator();
        const ok = validate(parse(r.text!, { merge: true }));
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
      });
    }
  }
});
