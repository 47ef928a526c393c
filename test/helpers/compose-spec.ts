/** The Compose Specification schema pinned for tests in ../shared (not used at run time). */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';

export const COMPOSE_SPEC_PATH = '../shared/compose-spec/compose-spec.json';
let cached: ValidateFunction | undefined;

export function composeSpecValidator(): ValidateFunction {
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(COMPOSE_SPEC_PATH, 'utf8'));
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  for (const f of ['duration', 'expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  cached = ajv.compile(schema);
  return cached;
}
