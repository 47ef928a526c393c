/** The schema editors use (compose-persist schema): every sample validates; a bad block does not. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import Ajv from 'ajv';
import extended from '../../src/generated/extended-schema.js';

const ajv = new Ajv({ strict: false, discriminator: true, allErrors: true });
for (const f of ['duration', 'expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
const validate = ajv.compile(extended);

describe('the extended-file schema (for the YAML language server)', () => {
  it('is draft-07, the draft the YAML language server reads', () => {
    expect((extended as { $schema: string }).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
  for (const f of readdirSync('samples').filter((n) => n.endsWith('.persist.yaml'))) {
    it(`accepts samples/${f}`, () => {
      const ok = validate(parse(readFileSync(`samples/${f}`, 'utf8'), { merge: true }));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }
  it('refuses a typo in the block and a wrong type in Compose', () => {
    expect(validate({ services: { a: { image: 'a' } }, 'x-persistence': { services: { a: { patern: 'volume' } } } })).toBe(false);
    expect(validate({ services: { a: { image: 'a', volumes: 'nope' } } })).toBe(false);
  });
});
