/**
 * Back-ends: how each kind of shared storage or plugin becomes a volume
 * driver and its driver_opts. The engine's local driver takes only
 * type/o/device (REFERENCE.md), so every string is checked here, where the
 * user's line is known, instead of failing at `up` with "invalid argument".
 */
import type { BackendInput, BackendKind, KindOfBackendType, CifsBackendInput, DriverSpec, Level, NfsBackendInput, OptionValue, PluginBackendInput } from '../model.js';
import { trimEndOf, trimStartOf } from '../strings.js';
import { yamlQuote } from '../yaml/scalar.js';

export interface BackendProblem {
  /** Key inside the back-end (or mount) the problem is about. */
  key: string;
  severity: 'error' | 'warning' | 'info';
  code: 'LITERAL_SECRET' | 'PRESET_OPTION' | 'BAD_PATH' | 'LEGACY_PLUGIN' | 'SCHEMA_FORMAT' | 'MISSING_BACKEND';
  message: string;
  hint?: string;
}

export interface BackendKindDef<K extends BackendKind = BackendKind> {
  /** The kind: the pattern that takes this type of back-end. */
  pattern: K;
  level(input: BackendInput): Level;
  check(input: BackendInput): BackendProblem[];
  /** Driver spec for one mount; subPath is the mount's directory under the root. */
  driver(input: BackendInput, subPath: string, mountOptions: Record<string, OptionValue>): DriverSpec;
}

const isInterpolated = (s: string): boolean => /^\$\{[^}]+\}$/.test(s.trim());

/**
 * How a credential is written: a reference (`${VAR}`, `${VAR:?msg}`, `${VAR:-}`, `${VAR:-${OTHER}}`),
 * a literal, or a reference whose default or alternative (`:-`, `-`, `:+`, `+`) is a literal,
 * which Compose writes into the container when the variable is unset (or set).
 */
export function secretForm(value: string): 'reference' | 'literal' | 'literal-default' {
  const s = value.trim();
  if (!s.startsWith('${')) return 'literal';
  let depth = 0;
  let end = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end !== s.length - 1) return 'literal';
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(s.slice(2, -1));
  if (!m) return 'literal';
  const [, , op, rest] = m;
  if (op === undefined || op.endsWith('?') || rest === '') return 'reference';
  return secretForm(rest!) === 'reference' ? 'reference' : 'literal-default';
}

/** LITERAL_SECRET for a credential written literally or as a literal default (an error under require:, see resolve). */
function secretProblem(key: string, value: string, what: string, hint: string): BackendProblem[] {
  const form = secretForm(value);
  if (form === 'reference') return [];
  return [{
    key, severity: 'warning', code: 'LITERAL_SECRET',
    message: form === 'literal'
      ? `${what} is written literally and would be copied into the generated file`
      : `${what} is a \${VAR} reference whose default is a literal, which would be copied into the generated file (and used whenever the variable is unset)`,
    hint,
  }];
}
const joinPath = (root: string, sub: string): string => (sub === '.' ? root : `${trimEndOf(root, '/')}/${trimStartOf(sub, '/')}`);

/** Values that go into the comma-separated `o` option: a comma would add options of its own. */
function commaProblems(fields: Record<string, unknown>): BackendProblem[] {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && /[,\s]/.test(String(v)))
    .map(([key, v]) => ({ key, severity: 'error' as const, code: 'SCHEMA_FORMAT' as const, message: `${key} ${JSON.stringify(String(v))} holds a comma or a space, which would split the mount options` }));
}

/** Why an option is refused, and what to write instead (the exact key and value, from the input). */
interface Forbidden { why: string; instead?: (value: string) => string }

function optionListProblems(options: readonly string[] | undefined, forbidden: Record<string, Forbidden>): BackendProblem[] {
  const out: BackendProblem[] = [];
  (options ?? []).forEach((o, i) => {
    const key = `options.${i}`;
    if (o.includes(',')) out.push({ key, severity: 'error', code: 'SCHEMA_FORMAT', message: `the option "${o}" holds a comma; give one option per list item` });
    const eq = o.indexOf('=');
    const name = (eq < 0 ? o : o.slice(0, eq)).trim();
    const rule = Object.hasOwn(forbidden, name) ? forbidden[name] : undefined;
    if (!rule) return;
    const instead = rule.instead?.(eq < 0 ? '' : o.slice(eq + 1).trim());
    // The option itself is not echoed when it may hold a credential.
    out.push({ key, severity: 'error', code: 'SCHEMA_FORMAT', message: `the option "${name === 'password' ? 'password=...' : o}" ${rule.why}`, ...(instead ? { hint: `write ${instead} on the back-end instead` } : {}) });
  });
  return out;
}

/** A value in a hint, as the user would write it in the block: double-quoted by the one rule (scalar.ts). */
const yamlString = (v: string): string => yamlQuote(v);

/**
 * The protocol version written in options (`nfsvers=4.1`, `vers=3`), as Docker's volume
 * documentation writes it: taken as the version when the back-end gives no version:.
 */
interface OptionVersion { index: number; option: string; value: string }
function optionVersions(options: readonly string[] | undefined, names: readonly string[]): OptionVersion[] {
  const out: OptionVersion[] = [];
  (options ?? []).forEach((o, index) => {
    const eq = o.indexOf('=');
    if (eq > 0 && names.includes(o.slice(0, eq).trim())) out.push({ index, option: o.slice(0, eq).trim(), value: o.slice(eq + 1).trim() });
  });
  return out;
}

/** Problems with the version given in options: not a known version, two that differ, or one that differs from version:. */
function versionOptionProblems(given: string | number | undefined, found: readonly OptionVersion[], valid: (v: string) => boolean, known: string): BackendProblem[] {
  const out: BackendProblem[] = [];
  for (const v of found) {
    if (!valid(v.value)) {
      out.push({ key: `options.${v.index}`, severity: 'error', code: 'SCHEMA_FORMAT', message: `the option "${v.option}=${v.value}" is not a version the tool knows; expected ${known}`, hint: `write version: ${yamlString(known.split(', ')[0]!)} (or another of those) and remove the option` });
    }
  }
  const first = found[0];
  if (given === undefined && first) {
    for (const v of found.slice(1)) {
      if (v.value !== first.value) out.push({ key: `options.${v.index}`, severity: 'error', code: 'SCHEMA_FORMAT', message: `the options give two versions, "${first.option}=${first.value}" and "${v.option}=${v.value}"`, hint: `keep one, or write version: ${yamlString(first.value)} and remove both` });
    }
  }
  if (given !== undefined) {
    for (const v of found) {
      if (v.value !== String(given)) {
        out.push({ key: `options.${v.index}`, severity: 'warning', code: 'SCHEMA_FORMAT', message: `the option "${v.option}=${v.value}" differs from version: ${String(given)}; version: is used`, hint: 'remove the option' });
      }
    }
  }
  return out;
}

/** The version a back-end mounts with: version:, else the one in options, else the default; and the options without it. */
function effectiveVersion(given: string | number | undefined, options: readonly string[] | undefined, names: readonly string[], fallback: string): { version: string; rest: string[] } {
  const found = optionVersions(options, names);
  const drop = new Set(found.map((v) => v.index));
  return { version: given !== undefined ? String(given) : (found[0]?.value ?? fallback), rest: (options ?? []).filter((_, i) => !drop.has(i)) };
}

const NFS_VERSIONS = ['3', '4', '4.0', '4.1', '4.2'];
const NFS_VERSION_OPTIONS = ['nfsvers', 'vers'];
const CIFS_VERSION_OPTIONS = ['vers'];

const nfs: BackendKindDef<'shared'> = {
  pattern: 'shared',
  level: () => 'host',
  check(input) {
    const b = input as NfsBackendInput;
    const out = commaProblems({ address: b.address });
    out.push(...optionListProblems(b.options, {
      addr: { why: 'is set from address:', instead: (v) => `address: ${yamlString(v || b.address)}` },
      uid: { why: 'is a CIFS option; on NFS the kernel answers "invalid argument" (the server decides the owner)' },
      gid: { why: 'is a CIFS option; on NFS the kernel answers "invalid argument" (the server decides the owner)' },
    }));
    out.push(...versionOptionProblems(b.version, optionVersions(b.options, NFS_VERSION_OPTIONS), (v) => NFS_VERSIONS.includes(v), NFS_VERSIONS.join(', ')));
    if (!b.export.startsWith('/') && !b.export.startsWith('$')) {
      out.push({ key: 'export', severity: 'error', code: 'BAD_PATH', message: `export "${b.export}" must be an absolute path on the server, e.g. /exports/app`, hint: `write export: ${yamlString(`/${b.export.replace(/^[^/]*:/, '').replace(/^\/+/, '')}`)}` });
    }
    return out;
  },
  driver(input, subPath) {
    const b = input as NfsBackendInput;
    const { version, rest } = effectiveVersion(b.version, b.options, NFS_VERSION_OPTIONS, '4');
    // hard, not soft: nfs(5) warns that a soft mount can corrupt data silently when the server
    // is slow; soft only when the user asks for it in options:.
    const defaults = version.startsWith('3') ? ['rw', 'nolock', 'hard'] : ['rw'];
    const opts = [`addr=${b.address}`, ...(rest.length ? rest : defaults), `nfsvers=${version}`];
    return { driver: 'local', driverOpts: { type: 'nfs', o: opts.join(','), device: `:${joinPath(b.export, subPath)}` } };
  },
};

const cifs: BackendKindDef<'shared'> = {
  pattern: 'shared',
  level: () => 'host',
  check(input) {
    const b = input as CifsBackendInput;
    const out = commaProblems({ address: b.address, username: b.username, domain: b.domain, uid: b.uid, gid: b.gid, version: b.version });
    if (b.password !== undefined && isInterpolated(b.password) && /[,\s]/.test(b.password)) out.push(...commaProblems({ password: b.password }));
    out.push(...optionListProblems(b.options, {
      addr: { why: 'is set from address:', instead: (v) => `address: ${yamlString(v || b.address)}` },
      username: { why: 'is set from username:', instead: (v) => `username: ${yamlString(v)}` },
      password: { why: 'must be given as password: "${VAR}" (set where Compose runs), never in options', instead: () => 'password: "${CIFS_PASSWORD}"' },
    }));
    out.push(...versionOptionProblems(b.version, optionVersions(b.options, CIFS_VERSION_OPTIONS), (v) => /^[0-9]+(\.[0-9]+)*$/.test(v), '3.0, 3.1.1, 2.1'));
    if (b.password !== undefined) out.push(...secretProblem('password', b.password, 'the CIFS password', 'use password: "${CIFS_PASSWORD}" and set the variable where Compose runs'));
    if (b.password !== undefined && !isInterpolated(b.password) && b.password.includes(',')) {
      out.push({ key: 'password', severity: 'error', code: 'SCHEMA_FORMAT', message: 'the password holds a comma, which splits the mount option list' });
    }
    if (/^[/\\]/.test(b.share) || b.share.includes(':')) {
      const name = b.share.replace(/^.*[:/\\]/, '');
      out.push({ key: 'share', severity: 'error', code: 'BAD_PATH', message: `share "${b.share}" must be the share name, e.g. "data" (the device becomes //address/share)`, ...(name ? { hint: `write share: ${yamlString(name)}` } : {}) });
    }
    return out;
  },
  driver(input, subPath) {
    const b = input as CifsBackendInput;
    const { version, rest } = effectiveVersion(b.version, b.options, CIFS_VERSION_OPTIONS, '3.0');
    const opts = [
      `addr=${b.address}`,
      ...(b.username ? [`username=${b.username}`] : []),
      ...(b.password ? [`password=${b.password}`] : []),
      ...(b.domain ? [`domain=${b.domain}`] : []),
      `vers=${version}`,
      ...(b.uid !== undefined ? [`uid=${b.uid}`] : []),
      ...(b.gid !== undefined ? [`gid=${b.gid}`] : []),
      ...rest,
    ];
    return { driver: 'local', driverOpts: { type: 'cifs', o: opts.join(','), device: `//${b.address}/${joinPath(b.share, subPath)}` } };
  },
};

const hostpath: BackendKindDef<'shared'> = {
  pattern: 'shared',
  level: () => 'host',
  check(input) {
    const path = (input as { path: string }).path;
    if (!path.startsWith('/') && !path.startsWith('${')) {
      return [{ key: 'path', severity: 'error', code: 'BAD_PATH', message: `path "${path}" must be absolute: the directory where the shared file system is mounted on every host` }];
    }
    return [];
  },
  // The local driver's bind refuses a missing directory, where a plain bind
  // would create an empty local one and quietly lose the `host` promise.
  driver(input, subPath) {
    return { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: joinPath((input as { path: string }).path, subPath) } };
  },
};

// ---- plugins and their presets ----

interface PresetDef {
  driver: string;
  /** Known option keys and the value shape each accepts (undefined: any). */
  options: Record<string, RegExp | undefined>;
  note: string;
}

/** Documented presets; all three projects are unmaintained (REFERENCE.md). */
export const PLUGIN_PRESETS: Record<'convoy' | 'rexray' | 'flocker', PresetDef> = {
  convoy: {
    driver: 'convoy',
    options: { driver: /^(devicemapper|vfs|ebs|digitalocean)$/, size: /^[0-9]+[KMGT]?$/i, type: undefined, iops: /^[0-9]+$/, backup: undefined, id: undefined, endpoint: undefined, vm: undefined },
    note: 'Convoy (rancher/convoy) is unmaintained since 2019',
  },
  rexray: {
    driver: 'rexray',
    // REX-Ray silently ignores "10G" and uses its default size: whole GiB only.
    options: { size: /^[0-9]+$/, iops: /^[0-9]+$/, volumeType: undefined, availabilityZone: undefined, encrypted: /^(true|false)$/ },
    note: 'REX-Ray is unmaintained since 2019',
  },
  flocker: {
    driver: 'flocker',
    options: { size: /^[0-9]+(\.[0-9]+)?\s*([KMGT]i?B?)?$/i, profile: /^(gold|silver|bronze)$/ },
    note: 'Flocker (ClusterHQ) is unmaintained since 2016',
  },
};

const SECRET_KEY = /pass(word)?|secret|token|credential|private|access.?key/i;

export function pluginOptions(b: PluginBackendInput, mountOptions: Record<string, OptionValue>): Record<string, string> {
  const merged = { ...(b.options ?? {}), ...mountOptions };
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, String(v)]));
}

/**
 * The preset whose checks apply: the one named, else the one whose driver this is
 * (`driver: convoy`, `driver: rexray/ebs`), so that writing the driver by its name,
 * as Compose users do, gets the same checks as `preset:`.
 */
export function presetOf(b: PluginBackendInput): PluginBackendInput['preset'] {
  if (b.preset) return b.preset;
  const family = (b.driver ?? '').split(/[/:]/)[0]!;
  return Object.hasOwn(PLUGIN_PRESETS, family) ? (family as keyof typeof PLUGIN_PRESETS) : undefined;
}

export function checkPluginOptions(b: PluginBackendInput, options: Record<string, OptionValue>, key: string): BackendProblem[] {
  const out: BackendProblem[] = [];
  const presetName = presetOf(b);
  const preset = presetName ? PLUGIN_PRESETS[presetName] : undefined;
  for (const [k, v] of Object.entries(options)) {
    const value = String(v);
    if (SECRET_KEY.test(k)) out.push(...secretProblem(`${key}.${k}`, value, `driver option "${k}" looks like a credential and`, 'use "${VAR}" and set the variable where Compose runs'));
    if (!preset) continue;
    if (!Object.hasOwn(preset.options, k)) {
      out.push({ key: `${key}.${k}`, severity: 'warning', code: 'PRESET_OPTION', message: `"${k}" is not an option the ${presetName} driver knows; expected one of ${Object.keys(preset.options).join(', ')}` });
      continue;
    }
    const shape = preset.options[k];
    if (shape && !isInterpolated(value) && !shape.test(value)) {
      out.push({ key: `${key}.${k}`, severity: 'error', code: 'PRESET_OPTION', message: `${presetName} option ${k} is "${value}"; ${presetShapeHelp(presetName!, k)}` });
    }
  }
  return out;
}

function presetShapeHelp(preset: string, key: string): string {
  const help: Record<string, string> = {
    'rexray.size': 'REX-Ray takes whole GiB as an integer (e.g. 10); "10G" is silently ignored',
    'convoy.size': 'Convoy takes a size such as 10G',
    'flocker.size': 'Flocker takes a size such as 10G or 100KiB',
    'flocker.profile': 'expected gold, silver or bronze',
    'convoy.driver': 'expected devicemapper, vfs, ebs or digitalocean',
  };
  return help[`${preset}.${key}`] ?? 'the value does not have the form the driver expects';
}

/**
 * The engine's own `local` driver is no plugin: what it keeps depends on its
 * `type` option. Network file systems survive the host; tmpfs not even a
 * restart; anything else (a bind with `o: bind`, a block device) is on this host.
 */
const LOCAL_DRIVER_LEVEL: Record<string, Level> = { nfs: 'host', nfs4: 'host', cifs: 'host', smb3: 'host', tmpfs: 'none' };
const LEVEL_ORDER: readonly Level[] = ['none', 'container', 'host'];

export function localDriverLevel(options: Record<string, OptionValue>): Level {
  const type = options.type === undefined ? '' : String(options.type);
  return Object.hasOwn(LOCAL_DRIVER_LEVEL, type) ? LOCAL_DRIVER_LEVEL[type]! : 'container';
}

/** The level a plugin back-end gives with these options: never above what the local driver really keeps. */
export function pluginLevel(b: PluginBackendInput, options: Record<string, OptionValue>): Level {
  const declared = b.level ?? 'host';
  if (b.driver !== 'local') return declared;
  const real = localDriverLevel(options);
  return LEVEL_ORDER.indexOf(real) < LEVEL_ORDER.indexOf(declared) ? real : declared;
}

const plugin: BackendKindDef<'plugin'> = {
  pattern: 'plugin',
  level: (input) => pluginLevel(input as PluginBackendInput, (input as PluginBackendInput).options ?? {}),
  check(input) {
    const b = input as PluginBackendInput;
    const out: BackendProblem[] = [];
    if (!b.driver && !b.preset) {
      out.push({ key: 'driver', severity: 'error', code: 'MISSING_BACKEND', message: 'a plugin back-end needs driver: (the volume driver name) or preset: convoy | rexray | flocker' });
    }
    const preset = presetOf(b);
    if (preset) out.push({ key: b.preset ? 'preset' : 'driver', severity: 'info', code: 'LEGACY_PLUGIN', message: PLUGIN_PRESETS[preset].note });
    out.push(...checkPluginOptions(b, b.options ?? {}, 'options'));
    return out;
  },
  driver(input, _subPath, mountOptions) {
    const b = input as PluginBackendInput;
    return { driver: b.driver ?? PLUGIN_PRESETS[b.preset!].driver, driverOpts: pluginOptions(b, mountOptions) };
  },
};

/** Each type's definition; its kind (`pattern`) is the one model.ts's BackendInputsByKind gives the type. */
export const BACKEND_KINDS: { readonly [T in BackendInput['type']]: BackendKindDef<KindOfBackendType<T>> } = { nfs, cifs, hostpath, plugin };
