/**
 * Stage 3, resolve: apply defaults, check every reference (service, pattern,
 * back-end) and every path, and normalise mounts. Works on plain data; the
 * diagnostics carry paths that the pipeline turns into line:col.
 */
import type { Diagnostic, StageResult, YamlPath } from '../diagnostics.js';
import type { BackendInput, BlockInfo, MountInput, PluginBackendInput, ResolvedBackend, ResolvedMount, ResolvedService, ResolvedSpec, ServiceInput } from '../model.js';
import { levelRank } from '../model.js';
import type { AnyPattern, MountResolveBase, PatternTable } from '../patterns/index.js';
import { patternHooks } from './pattern-hooks.js';
import { suggester, type Suggester } from '../validate/suggest.js';
import { BACKEND_KINDS, checkPluginOptions, pluginLevel, pluginOptions, presetOf, type BackendProblem } from './backends.js';
import { mountTargets, type ComposeView } from '../compose/view.js';
import { checkBindSource, lastSegmentName, localBindDevice, normaliseBindSource, pathProblem, unsafeHostPath } from '../compose/paths.js';
import { matchImage } from './catalog.js';
import type { Variables } from '../compose/interpolate.js';
import { listSome, trimEndOf } from '../strings.js';

export const DEFAULT_HELPER_IMAGE = 'busybox:latest';

export function resolve(info: BlockInfo, compose: ComposeView, patterns: PatternTable, policy: { safePaths?: boolean; variables?: Variables } = {}): StageResult<ResolvedSpec> {
  const { key, file } = info;
  // --safe-paths on the command line has the meaning of safe-paths: true in the block.
  const block = policy.safePaths ? { ...info.block, 'safe-paths': true } : info.block;
  info = { ...info, block };
  const diagnostics: Diagnostic[] = [];
  const report = (d: Omit<Diagnostic, 'file'>): void => {
    diagnostics.push({ file, ...d });
  };

  // `services: hello`: nothing to add persistence to, and the output would hold `services: {}`.
  const top = compose.raw.services;
  if (top !== undefined && top !== null && (typeof top !== 'object' || Array.isArray(top))) {
    report({ code: 'NOT_A_MAPPING', severity: 'error', path: ['services'], message: `services: is ${Array.isArray(top) ? 'a list' : `the ${typeof top} ${JSON.stringify(top)}`}; it must be a mapping of service names to services` });
    return { diagnostics };
  }
  const backends = resolveBackends(info, report);
  // One did-you-mean per set of names, with one budget for every unknown name (a file can hold thousands).
  const suggest: Suggest = { services: suggester(Object.keys(compose.services)), patterns: suggester(patterns.keys()), backends: suggester(backends.keys()) };
  const services: ResolvedService[] = [];
  for (const [name, input] of Object.entries(block.services ?? {})) {
    const path: YamlPath = [key, 'services', name];
    if (!Object.hasOwn(compose.services, name)) {
      report({
        code: 'UNKNOWN_SERVICE', severity: 'error', path,
        message: `service "${name}" is not defined under services:`,
        hint: suggest.services.hint(name),
      });
      continue;
    }
    const raw = (compose.raw.services as Record<string, unknown> | undefined)?.[name];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      report({ code: 'NOT_A_MAPPING', severity: 'error', path: ['services', name], message: `service "${name}" is ${raw === null ? 'empty' : Array.isArray(raw) ? 'a list' : `the ${typeof raw} ${JSON.stringify(raw)}`}; a service is a mapping (image:, volumes:, ...), so there is nothing to add persistence to` });
      continue;
    }
    const resolved = resolveService(name, input ?? {}, path, info, compose, patterns, backends, report, suggest, policy.variables);
    if (resolved) services.push(...resolved);
  }
  return {
    value: { blockKey: key, file, require: block.require, safePaths: block['safe-paths'] ?? false, services },
    diagnostics,
  };
}

type Report = (d: Omit<Diagnostic, 'file'>) => void;
interface Suggest {
  services: Suggester;
  patterns: Suggester;
  backends: Suggester;
}

/** The longest file name Linux takes (a path segment, a volume's directory). */
const NAME_MAX = 255;

function resolveBackends(info: BlockInfo, report: Report): Map<string, ResolvedBackend> {
  const out = new Map<string, ResolvedBackend>();
  for (const [name, input] of Object.entries(info.block.backends ?? {})) {
    out.set(name, resolveBackend(name, input, [info.key, 'backends', name], info, report));
  }
  return out;
}

/**
 * One back-end, declared or inline: its checks, its host directories checked like a bind
 * source, its level. `keyOf` maps a key of the back-end to where the input wrote it
 * (an inline back-end's options: are the service's driver_opts:).
 */
function resolveBackend(name: string, input: BackendInput, path: YamlPath, info: BlockInfo, report: Report, keyOf: (key: string) => string = (k) => k): ResolvedBackend {
  const kind = BACKEND_KINDS[input.type];
  for (const p of kind.check(input)) report(problemToDiagnostic({ ...p, key: keyOf(p.key) }, path, info));
  const bound = input.type === 'hostpath' ? { key: 'path', dir: input.path } : input.type === 'plugin' ? { key: 'options.device', dir: localBindDevice(input.driver, input.options ?? {}) } : undefined;
  if (bound?.dir !== undefined) reportUnsafe(info, report, unsafeHostPath(bound.dir, `${input.type === 'hostpath' ? 'the hostpath back-end\'s path' : 'the local driver\'s bind device'}`), [...path, ...keyOf(bound.key).split('.')]);
  const preset = input.type === 'plugin' ? presetOf(input) : undefined;
  return { name, type: input.type, level: kind.level(input), input, ...(preset ? { preset } : {}) };
}

/** An inline plugin back-end (driver:, driver_opts: on the service) as the back-end it stands for. */
function inlineBackend(service: string, input: ServiceInput, path: YamlPath, info: BlockInfo, report: Report): ResolvedBackend {
  const backend: PluginBackendInput = { type: 'plugin', ...(input.driver !== undefined ? { driver: input.driver } : {}), ...(input.driver_opts ? { options: input.driver_opts } : {}) };
  const keyOf = (k: string): string => (k === 'options' ? 'driver_opts' : k.startsWith('options.') ? `driver_opts.${k.slice('options.'.length)}` : k);
  return { ...resolveBackend(`${service} (inline)`, backend, path, info, report, keyOf), inline: true };
}

/** UNSAFE_PATH: a warning, an error under safe-paths (then true: the caller stops). */
function reportUnsafe(info: BlockInfo, report: Report, unsafe: string | undefined, path: YamlPath): boolean {
  if (!unsafe) return false;
  const strict = info.block['safe-paths'] === true;
  report({ code: 'UNSAFE_PATH', severity: strict ? 'error' : 'warning', path, message: unsafe, ...(strict ? {} : { hint: 'safe-paths: true makes this an error' }) });
  return strict;
}

function problemToDiagnostic(p: BackendProblem, base: YamlPath, info: BlockInfo): Omit<Diagnostic, 'file'> {
  const keyPath = p.key.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  // A block that sets require: asks for guarantees: a credential in the output is an error there.
  const severity = p.code === 'LITERAL_SECRET' && info.block.require !== undefined ? 'error' : p.severity;
  const hint = p.code === 'LITERAL_SECRET' ? `${p.hint ?? ''}${severity === 'error' ? '; an error because the block sets require:' : ''}` : p.hint;
  return { code: p.code, severity, message: p.message, ...(hint ? { hint } : {}), path: [...base, ...keyPath] };
}

function resolveService(
  service: string,
  input: ServiceInput,
  path: YamlPath,
  info: BlockInfo,
  compose: ComposeView,
  patterns: PatternTable,
  backends: Map<string, ResolvedBackend>,
  report: Report,
  suggest: Suggest,
  variables?: Variables,
): ResolvedService[] | undefined {
  const patternName = input.pattern ?? info.block.default;
  if (patternName === undefined) {
    report({ code: 'SCHEMA_REQUIRED', severity: 'error', path, message: `service "${service}" names no pattern and the block has no default:`, hint: `add pattern: ${[...patterns.keys()].join(' | ')}` });
    return undefined;
  }
  const pattern = patterns.get(patternName);
  if (!pattern) {
    const at = input.pattern !== undefined ? [...path, 'pattern'] : [info.key, 'default'];
    report({ code: 'UNKNOWN_PATTERN', severity: 'error', path: at, message: `pattern "${patternName}" does not exist; expected one of ${[...patterns.keys()].join(', ')}`, hint: suggest.patterns.hint(patternName) });
    return undefined;
  }
  let ok = true;
  const fail = (d: Omit<Diagnostic, 'file' | 'severity'>): void => {
    ok = false;
    report({ severity: 'error', ...d });
  };
  const hostDirectory = (given: string, at: YamlPath, unsafeAt: YamlPath): string => {
    const source = normaliseBindSource(given);
    const problem = checkBindSource(source);
    if (problem.error) fail({ code: 'BAD_PATH', path: at, message: problem.error });
    if (reportUnsafe(info, report, problem.unsafe, unsafeAt)) ok = false;
    return source;
  };

  // A pattern per mount: each mount may name its own (issue 12.4); the service's is the default.
  const rawMounts = input.mounts ?? [];
  const mountPatterns = rawMounts.map((raw, i): AnyPattern | undefined => {
    const name = typeof raw === 'object' ? raw.pattern : undefined;
    if (name === undefined) return pattern;
    const p = patterns.get(name);
    if (!p) fail({ code: 'UNKNOWN_PATTERN', path: [...path, 'mounts', i, 'pattern'], message: `pattern "${name}" does not exist; expected one of ${[...patterns.keys()].join(', ')}`, hint: suggest.patterns.hint(name) });
    return p;
  });
  const usesServicePattern = input.mounts === undefined || rawMounts.length === 0 || rawMounts.some((m) => typeof m === 'string' || m.pattern === undefined);
  const used = new Set<AnyPattern>([...(usesServicePattern ? [pattern] : []), ...mountPatterns.filter((p): p is AnyPattern => p !== undefined)]);

  for (const k of Object.keys(input) as (keyof ServiceInput)[]) {
    if (k === 'keep') {
      if (![...used].some((p) => p.keepable)) fail(keepRefused(pattern, [...path, k]));
      continue;
    }
    if (k === 'pattern' || [...used].some((p) => p.keys.includes(k))) continue;
    if (k === 'owner') fail({ code: 'OWNER_WITHOUT_BIND', path: [...path, k], message: `owner: sets the ownership of a host directory and only applies to pattern bind, not ${pattern.name}` });
    else report({ code: 'OPTION_NOT_FOR_PATTERN', severity: 'warning', path: [...path, k], message: `${k}: has no meaning for pattern ${pattern.name} and is ignored`, ...(k === 'driver' || k === 'driver_opts' ? { hint: 'driver: and driver_opts: are a volume driver of the service\'s own, for pattern: plugin' } : {}) });
  }

  // The service's back-end, looked up once, when a mount of a pattern that needs one has none of its own.
  const serviceBackend = new Map<string, ResolvedBackend | undefined>();
  const backendOfService = (p: AnyPattern): ResolvedBackend | undefined => {
    if (!serviceBackend.has(p.name)) serviceBackend.set(p.name, resolveServiceBackend(service, input, path, p, info, backends, report, suggest, fail));
    return serviceBackend.get(p.name);
  };

  const catalogMatch = input.mounts === undefined && pattern.needsMounts ? matchImage(compose.services[service]?.image, variables) : undefined;
  const mountsIn = input.mounts ?? catalogMatch?.paths ?? [];
  if (pattern.needsMounts && mountsIn.length === 0) {
    fail({ code: 'NO_MOUNTS', path: input.mounts ? [...path, 'mounts'] : path, message: `pattern ${pattern.name} needs at least one mount: the absolute path inside the container where the data lives${input.mounts === undefined ? '; the image is not in the catalog, so mounts: cannot be left out' : ''}`, hint: `e.g. mounts: [/var/lib/${service}]` });
  }
  const existing = new Set(mountTargets(compose.services[service]));
  const seen = new Map<string, number>();
  // Mounts grouped into parts: one per pattern, back-end and owner, each planned and rendered as a service entry of its own.
  const parts = new Map<string, { pattern: AnyPattern; backend?: ResolvedBackend; owner?: string; mounts: ResolvedMount[] }>();
  const names: ResolvedMount[] = [];
  mountsIn.forEach((raw, i) => {
    const m: MountInput = typeof raw === 'string' ? { target: raw } : raw;
    const mp = (input.mounts ? mountPatterns[i] : pattern);
    if (!mp) return;
    // Mounts taken from the catalog have no line of their own: they point at the service entry.
    const mpath: YamlPath = catalogMatch ? path : [...path, 'mounts', i];
    const tpath = typeof raw === 'string' ? mpath : [...mpath, 'target'];
    const target = m.target.length > 1 ? trimEndOf(m.target, '/') : m.target;
    const problem = pathProblem(target);
    if (!target.startsWith('/')) {
      fail({ code: 'RELATIVE_TARGET', path: tpath, message: `mount target "${m.target}" is not an absolute path; targets are paths inside the container such as /var/lib/app` });
      return;
    }
    if (problem) {
      fail({ code: 'BAD_PATH', path: tpath, message: `mount target ${JSON.stringify(m.target)} ${problem}` });
      return;
    }
    const longSegment = target.split('/').find((seg) => Buffer.byteLength(seg) > NAME_MAX);
    if (longSegment !== undefined) {
      fail({ code: 'SCHEMA_RANGE', path: tpath, message: `mount target has a path segment of ${Buffer.byteLength(longSegment)} bytes ("${longSegment.slice(0, 20)}…"); a file name is at most ${NAME_MAX} bytes on Linux, so nothing can be mounted there` });
      return;
    }
    if (seen.has(target)) {
      fail({ code: 'DUPLICATE_TARGET', path: tpath, message: `target ${target} is listed twice for service "${service}" (first as mounts[${seen.get(target)}])` });
      return;
    }
    seen.set(target, i);
    if (existing.has(target)) {
      fail({ code: 'MOUNT_CONFLICT', path: tpath, message: `service "${service}" already mounts something at ${target} in its own volumes:; remove one of the two` });
      return;
    }
    if (m.keep !== undefined && m.keep !== false && !mp.keepable) {
      fail(keepRefused(mp, [...mpath, 'keep']));
      return;
    }
    for (const k of Object.keys(m) as (keyof MountInput)[]) {
      if (k === 'target' || k === 'keep' || k === 'pattern' || mp.mountKeys.includes(k)) continue;
      if (k === 'backend' && mp.backend) continue;
      if (k === 'owner') fail({ code: 'OWNER_WITHOUT_BIND', path: [...mpath, k], message: `owner: sets the ownership of a host directory and only applies to pattern bind, not ${mp.name}` });
      else report({ code: 'OPTION_NOT_FOR_PATTERN', severity: 'warning', path: [...mpath, k], message: `${k}: has no meaning for a mount of pattern ${mp.name} and is ignored` });
    }
    const name = m.name ?? `${service}-${lastSegmentName(target)}`;
    if (m.name === undefined && name.length > NAME_MAX) {
      fail({ code: 'SCHEMA_RANGE', path: tpath, message: `the volume name generated from service "${service}" and the target's last segment is ${name.length} characters; the engine keeps a volume in a directory named after it (project name included), at most ${NAME_MAX} bytes`, hint: 'give the mount a shorter name:' });
      return;
    }
    const sameName = names.find((other) => other.name === name);
    if (sameName) {
      fail({ code: 'NAME_COLLISION', path: tpath, message: `mounts ${sameName.target} and ${target} of service "${service}" would both be named "${name}" (from their last path segment)`, hint: 'give one of them its own name:' });
      return;
    }
    // Its back-end: its own, else the service's (only for a pattern that takes one).
    let backend: ResolvedBackend | undefined;
    if (mp.backend) {
      if (m.backend !== undefined) backend = lookupBackend(m.backend, mp, [...mpath, 'backend'], backends, suggest, fail);
      else if (mp === pattern || input.backend !== undefined || input.driver !== undefined) backend = backendOfService(mp);
      else fail({ code: 'MISSING_BACKEND', path: [...mpath, 'pattern'], message: `pattern ${mp.name} needs a back-end: give this mount backend: naming one of x-persistence.backends`, hint: backendCandidates(backends, mp) });
      if (!backend) return;
    }
    // The pattern's hooks, given a back-end of its kind (the one check of the kind before a hook runs).
    const hooks = patternHooks(mp, backend);
    if (!hooks) {
      if (backend) fail({ code: 'BACKEND_KIND', path: [...mpath, m.backend !== undefined ? 'backend' : 'pattern'], message: `back-end "${backend.name}" is of type ${backend.type}, which pattern ${mp.name} cannot use` });
      return;
    }
    // A mount's own keep: wins over the service's (keep: false opts one mount out).
    const keep = m.keep ?? input.keep;
    // What the mount's pattern adds (a bind's host directory, a share's sub-path), with its own checks.
    const ctx: MountResolveBase = { service, input: m, serviceInput: input, name, path: mpath, fail, pathProblem, hostDirectory };
    const { owner, ...added } = hooks.resolveMount(ctx);
    const mount: ResolvedMount = { target, name, nameGiven: m.name !== undefined, readOnly: m.read_only ?? false, options: m.options ?? {}, ...(mp.keepable && keep ? { keep: typeof keep === 'string' ? keep : name } : {}), path: mpath, ...added };
    names.push(mount);
    // A plugin back-end (only pattern plugin takes one) checks a mount's own options.
    if (backend?.input.type === 'plugin' && m.options) {
      const b = backend.input;
      for (const p of checkPluginOptions(b, m.options, 'options')) report(problemToDiagnostic(p, mpath, info));
      // A mount's own options can turn a local-driver volume into a bind, or point it elsewhere.
      const merged = pluginOptions(b, m.options);
      const device = localBindDevice(b.driver, merged);
      if (device !== undefined && device !== localBindDevice(b.driver, b.options ?? {}) && reportUnsafe(info, report, unsafeHostPath(device, "the local driver's bind device"), [...mpath, 'options'])) ok = false;
    }
    const key = `${mp.name}\u0000${backend?.name ?? ''}\u0000${owner ?? ''}`;
    const part = parts.get(key) ?? { pattern: mp, ...(backend ? { backend } : {}), ...(owner ? { owner } : {}), mounts: [] };
    parts.set(key, part);
    part.mounts.push(mount);
  });
  // The service's pattern with no mount of its own (none, or a user pattern without mounts) is still planned.
  if (!pattern.needsMounts && ![...parts.values()].some((p) => p.pattern === pattern)) parts.set(`${pattern.name}\u0000\u0000`, { pattern, mounts: [] });
  // Back-end required by the service's pattern but no mount reached it (e.g. mounts missing): report it once.
  if (pattern.backend && usesServicePattern && mountsIn.length === 0) backendOfService(pattern);
  const binds = [...parts.values()].filter((p) => p.owner);
  if (binds.length > 1) {
    fail({ code: 'OWNER_WITHOUT_BIND', path: [...path, 'mounts'], message: `the bind mounts of service "${service}" give ${binds.length} different owners (${binds.map((b) => b.owner).join(', ')}); its one init service (${service}-init) sets one uid:gid`, hint: 'give them one owner:, or move one into a service of its own' });
  }
  if (!ok) return undefined;
  return [...parts.values()].map((part) => {
    // A plugin volume's level may be lowered by its mounts' options (a local driver turned into a
    // bind or a tmpfs): the part is as weak as its weakest mount, whatever their order.
    let backend = part.backend;
    if (backend?.input.type === 'plugin') {
      const b = backend.input;
      for (const m of part.mounts) {
        const level = pluginLevel(b, pluginOptions(b, m.options));
        if (levelRank(level) < levelRank(backend.level)) backend = { ...backend, level };
      }
    }
    return {
      service,
      pattern: part.pattern.name,
      mounts: part.mounts,
      ...(part.owner ? { owner: part.owner } : {}),
      ...(backend ? { backend } : {}),
      image: input.image ?? DEFAULT_HELPER_IMAGE,
      ...(input.node ? { node: input.node } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.params && part.pattern === pattern ? { params: input.params } : {}),
      path,
    };
  });
}

function backendCandidates(backends: Map<string, ResolvedBackend>, pattern: AnyPattern): string {
  const candidates = [...backends.values()].filter((b) => BACKEND_KINDS[b.type].pattern === pattern.backend).map((b) => b.name);
  return `${candidates.length ? `declared: ${listSome(candidates)}` : 'declare one under x-persistence.backends'}${pattern.backend === 'plugin' ? ', or write driver: (and driver_opts:) on the service' : ''}`;
}

function lookupBackend(name: string, pattern: AnyPattern, at: YamlPath, backends: Map<string, ResolvedBackend>, suggest: Suggest, fail: (d: Omit<Diagnostic, 'file' | 'severity'>) => void): ResolvedBackend | undefined {
  const backend = backends.get(name);
  if (!backend) {
    fail({ code: 'UNKNOWN_BACKEND', path: at, message: `back-end "${name}" is not declared under x-persistence.backends`, hint: suggest.backends.hint(name) });
    return undefined;
  }
  if (BACKEND_KINDS[backend.type].pattern !== pattern.backend) {
    fail({ code: 'BACKEND_KIND', path: at, message: `back-end "${backend.name}" is of type ${backend.type}, which pattern ${pattern.name} cannot use; ${pattern.name} needs ${pattern.backendNeeds ?? 'another back-end'}` });
    return undefined;
  }
  return backend;
}

/** The service's own back-end: backend: naming a declared one, or (plugin) driver:/driver_opts: inline. */
function resolveServiceBackend(service: string, input: ServiceInput, path: YamlPath, pattern: AnyPattern, info: BlockInfo, backends: Map<string, ResolvedBackend>, report: Report, suggest: Suggest, fail: (d: Omit<Diagnostic, 'file' | 'severity'>) => void): ResolvedBackend | undefined {
  const inline = input.driver !== undefined || input.driver_opts !== undefined;
  if (inline && (pattern.backend === 'plugin' || input.backend === undefined)) {
    if (input.backend !== undefined) {
      fail({ code: 'SCHEMA_FORMAT', path: [...path, 'backend'], message: `service "${service}" names back-end "${input.backend}" and also writes driver:/driver_opts: of its own; give one of the two`, hint: 'remove backend: to use the driver written here, or remove driver: and driver_opts:' });
      return undefined;
    }
    if (input.driver === undefined) {
      fail({ code: 'MISSING_BACKEND', path: [...path, 'driver_opts'], message: 'driver_opts: needs driver: beside it (the volume driver the options are for)', hint: 'e.g. driver: convoy' });
      return undefined;
    }
    return inlineBackend(service, input, path, info, report);
  }
  if (input.backend === undefined) {
    fail({ code: 'MISSING_BACKEND', path, message: `pattern ${pattern.name} needs backend: naming one of x-persistence.backends`, hint: backendCandidates(backends, pattern) });
    return undefined;
  }
  return lookupBackend(input.backend, pattern, [...path, 'backend'], backends, suggest, fail);
}

function keepRefused(pattern: AnyPattern, path: YamlPath): Omit<Diagnostic, 'file' | 'severity'> {
  return {
    code: 'KEEP_NOT_FOR_PATTERN', path,
    message: `keep: makes a service's volumes external so that down -v cannot delete them; pattern ${pattern.name} has no volume to keep`,
    hint: pattern.keepNotNeeded ?? 'use pattern volume, data-container, shared or plugin',
  };
}
