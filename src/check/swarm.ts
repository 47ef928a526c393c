/**
 * Stage 7c, Swarm: everything the Swarm target does differently, in one place
 * (REFERENCE.md, Swarm). What `docker stack deploy` refuses or drops is caught
 * here with the user's line instead of at deploy time: its own rules on the
 * source (`check`), the conversions that keep a file's meaning on Swarm
 * (`convert`), and Docker's own stack file schema on every Swarm output
 * (`checkStack`, docker/cli's config_schema_v3.8.json, compiled at build time
 * and loaded on the first Swarm build only).
 */
import type { ErrorObject } from 'ajv';
import loadStackValidator from '../generated/stack-validator.js';
import { pathToString, type Diagnostic, type YamlPath } from '../diagnostics.js';
import type { ComposeView } from '../compose/view.js';
import { copyMapping } from '../yaml/plain.js';
import { targetFacts } from '../compose/target-facts.js';
import { pointerToPath } from '../validate/validate.js';
import type { OutputTarget, TargetOutput } from './targets.js';

type Obj = Record<string, unknown>;

/** Service keys the stack loader refuses outright (docker/cli's types.ForbiddenProperties, and build). */
const REFUSED: Record<string, string> = {
  volumes_from: 'Swarm has no volumes_from; use a named volume or pattern shared',
  extends: 'docker stack deploy does not support extends; flatten the service (docker compose config) first',
  volume_driver: 'volume_driver is not supported by Swarm; declare the driver on a top-level volume (pattern plugin)',
  cpu_quota: 'set resource limits under deploy.resources',
  cpu_shares: 'set resource limits under deploy.resources',
  cpuset: 'set resource limits under deploy.resources',
  mem_limit: 'set resource limits under deploy.resources',
  memswap_limit: 'set resource limits under deploy.resources',
  build: 'docker stack deploy ignores build:; push an image and name it in image:',
};

/** Top-level keys of Compose that a stack file has no place for. */
const REFUSED_TOP = ['include', 'name'];

/** The version every Swarm output carries (Debian's 20.10 CLI refuses a file without one). */
export const SWARM_VERSION = '3.8';

/** Rules on the source that the stack loader would refuse, with the reason in Swarm terms. */
function check(view: ComposeView, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, svc] of Object.entries(view.services)) {
    for (const [key, why] of Object.entries(REFUSED)) {
      if (!(key in svc)) continue;
      out.push({
        code: 'SWARM_UNSUPPORTED', severity: key === 'build' ? 'warning' : 'error', file, path: ['services', name, key],
        message: `service "${name}" uses ${key}:, which docker stack deploy ${key === 'build' ? 'ignores' : 'refuses'}: ${why}`,
      });
    }
    for (const [i, v] of (Array.isArray(svc.volumes) ? svc.volumes : []).entries()) {
      const bind = v && typeof v === 'object' ? (v as { bind?: Obj }).bind : undefined;
      for (const k of ['create_host_path', 'selinux']) {
        if (bind && k in bind) {
          out.push({ code: 'SWARM_UNSUPPORTED', severity: 'warning', file, path: ['services', name, 'volumes', i, 'bind', k], message: `bind.${k} is dropped by docker stack deploy; on Swarm the source must already exist on the node` });
        }
      }
    }
  }
  for (const key of REFUSED_TOP) {
    if (key in view.raw) out.push({ code: 'SWARM_UNSUPPORTED', severity: 'error', file, path: [key], message: `top-level ${key}: is not part of the stack file format docker stack deploy reads` });
  }
  return out;
}

/**
 * The conversions that keep the file's meaning on Swarm: `version: "3.8"`, and
 * depends_on in the long form left out (the stack schema takes only a list, and
 * Swarm ignores depends_on: tasks start in any order).
 */
function convert(output: Obj, file: string): TargetOutput & { version: string } {
  const drop: YamlPath[] = [];
  const diagnostics: Diagnostic[] = [];
  const services = output.services && typeof output.services === 'object' && !Array.isArray(output.services) ? (output.services as Obj) : undefined;
  let converted: Obj | undefined;
  for (const [name, svc] of Object.entries(services ?? {})) {
    const dependsOn = svc && typeof svc === 'object' ? (svc as Obj).depends_on : undefined;
    if (!dependsOn || typeof dependsOn !== 'object' || Array.isArray(dependsOn)) continue;
    drop.push(['services', name, 'depends_on']);
    diagnostics.push({
      code: 'SWARM_CONVERTED', severity: 'warning', file, path: ['services', name, 'depends_on'],
      message: `service "${name}": depends_on in the long form is left out of the Swarm file: the stack file format takes only a list, and Swarm ignores depends_on (tasks start in any order)`,
      hint: 'the service must wait for what it needs itself (a retry loop or a healthcheck-driven restart)',
    });
    converted ??= copyMapping(services!);
    const { depends_on: _d, ...rest } = svc as Obj;
    converted[name] = rest;
  }
  const { version, ...rest } = output;
  return { output: { version: SWARM_VERSION, ...rest, ...(converted ? { services: converted } : {}) }, version: SWARM_VERSION, drop, diagnostics, changed: version !== SWARM_VERSION || drop.length > 0 };
}

/** Errors of a oneOf branch that did not apply: replaced by the error of the branch that did, or by one line. */
const SHAPE = new Set(['type', 'pattern', 'oneOf', 'anyOf']);

/**
 * The output against docker/cli's stack file schema: errors at the key they are
 * about, one per place, leaving out places `check` has already reported.
 */
function checkStack(output: Obj, file: string, reported: readonly Diagnostic[]): Diagnostic[] {
  const validate = loadStackValidator();
  if (validate(output)) return [];
  const errors = validate.errors ?? [];
  const specific = errors.filter((e) => !SHAPE.has(e.keyword));
  const out: Diagnostic[] = [];
  const seen = new Set(reported.filter((d) => d.severity === 'error').map((d) => pathToString(d.path)));
  const add = (path: YamlPath, message: string): void => {
    const at = pathToString(path);
    if (seen.has(at) || [...seen].some((s) => s && at.startsWith(`${s}.`))) return;
    seen.add(at);
    out.push({
      code: 'SWARM_STACK_INVALID', severity: 'error', file, path,
      message: `docker stack deploy would refuse this: ${at || 'the top level'} ${message}`,
      hint: `checked against docker/cli's stack file schema for version ${SWARM_VERSION}`,
    });
  };
  for (const e of specific) {
    const path = pointerToPath(output, e.instancePath);
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') add([...path, String(p.additionalProperty)], 'is not a key of the stack file format');
    else if (e.keyword === 'required') add(path, `needs the key "${String(p.missingProperty)}"`);
    else add(path, e.message ?? 'is invalid');
  }
  // Wrong shape (no branch of a oneOf took the value): one line per place, naming the shapes allowed.
  const byPlace = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    // A branch that took the value's type and failed deeper says more than the others' type errors.
    if (!SHAPE.has(e.keyword) || errors.some((o) => o.instancePath.startsWith(`${e.instancePath}/`)) || specific.some((o) => o.instancePath === e.instancePath)) continue;
    byPlace.set(e.instancePath, [...(byPlace.get(e.instancePath) ?? []), e]);
  }
  for (const [pointer, errs] of byPlace) {
    const types = [...new Set(errs.flatMap((e) => (e.keyword === 'type' ? [String((e.params as { type: unknown }).type)] : [])))].flatMap((t) => t.split(','));
    const variable = errs.some((e) => e.keyword === 'pattern');
    const shapes = [...new Set(types.filter((t) => !(variable && t === 'string')))];
    const message = shapes.length ? `must be ${shapes.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')}${variable ? ' (a string only as a ${VAR} that docker substitutes first)' : ''}` : 'matches none of the forms the stack file format allows';
    add(pointerToPath(output, pointer), message);
  }
  return out;
}

/** The Swarm target: its rules, conversions and output check (docker stack deploy's). */
export const swarmTarget: OutputTarget = { ...targetFacts('swarm'), convertsPlainFiles: true, check, convert, checkOutput: checkStack };
