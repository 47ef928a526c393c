/**
 * Generators for compose files with an x-persistence block. A Model is plain
 * data; render() turns it into YAML text (with anchors, merge keys, comments
 * and mixed scalar styles). Valid models are valid by construction: every
 * generated name is unique, targets never clash with the services' own.
 */
import fc from 'fast-check';
import { alias, fromJs, map, MERGE, num, raw, seq, str, toText, type Y } from './yaml-text.js';

export type Target = 'compose' | 'swarm';
export type Pattern = 'none' | 'volume' | 'data-container' | 'bind' | 'shared' | 'plugin';
export type Value = string | number | boolean;

export interface MountM {
  form: 'string' | 'object';
  target: string;
  name?: string;
  read_only?: boolean;
  source?: string;
  path?: string;
  options?: Record<string, Value>;
}

export interface BlockSvcM {
  pattern: Pattern;
  omitPattern?: boolean;
  mounts: MountM[];
  owner?: string;
  backend?: string;
  image?: string;
  node?: string;
  reason?: string;
}

export interface SvcM {
  name: string;
  image: string;
  imageStyle: 'plain' | 'double' | 'single';
  env?: { form: 'map' | 'list' | 'merge'; vars: [string, string][] };
  command?: string[];
  /** The service's own volumes, at targets under /srv/own (never used by the block). */
  own: Y[];
  dependsOn?: { form: 'list' | 'map'; on: string[] };
  mergeCommon: boolean;
  xField?: Value;
  flow: boolean;
  comment?: string;
  /** Anchor on the service's mapping (known bug when another service merges it). */
  anchor?: string;
  /** `<<: *anchor` of another service (known bug). */
  mergeService?: string;
  /** `volumes: &anchor` shared with another service via an alias (known bug). */
  volumesAnchor?: string;
  volumesAlias?: string;
  deploy?: Record<string, unknown>;
  /** Other ordinary keys, each passed through untouched. */
  misc?: string[];
}

export interface Model {
  blockKey: 'x-persistence' | 'persistence';
  services: SvcM[];
  extVolumes: string[];
  common?: { withVolume: boolean; withDeploy: boolean };
  /** Top-level `volumes: *vols` (known bug). */
  volumesAlias?: boolean;
  block: {
    default?: Pattern;
    require?: 'none' | 'container' | 'host';
    safePaths?: boolean;
    backends: [string, Record<string, unknown>][];
    services: [string, BlockSvcM][];
  };
  /** Raw text splices replacing a scalar (hostile inputs): path of keys -> text. */
  raws?: { where: string; text: string }[];
}

// ---- names and paths ----

const PROTO_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
export const serviceName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/) },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_NAMES, 'db', 'web', 'app-1', 'A.b_c', '0', '1e3', 'yes', 'null') },
);
/** Last segment of a block mount target: already a clean name part. */
const lastSeg = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
/** Middle segments: anything Compose carries in a path (no ":", no control characters, no "..", no "$"). */
const midSeg = fc.oneof(
  fc.stringMatching(/^[a-z0-9_.]{1,6}$/).filter((s) => s !== '..' && s !== '.'),
  fc.stringMatching(/^[A-Za-z0-9 _.#@+%,=~'"&*!{}|é漢😀-]{1,6}$/).filter((s) => s !== '..' && s !== '.' && !s.startsWith(' ') && !s.endsWith(' ')),
);
export const blockTarget = fc
  .tuple(fc.array(midSeg, { maxLength: 3 }), lastSeg)
  .map(([mid, last]) => `/${[...mid, last].join('/')}`)
  .filter((t) => !t.startsWith('/srv/own') && !t.startsWith('/mnt/'));
const volName = fc.stringMatching(/^[a-z][a-z0-9_.]{0,6}-[a-z0-9]{1,4}$/);
const relPath = fc.array(fc.stringMatching(/^[a-z0-9_][a-z0-9_.-]{0,6}$/).filter((s) => s !== '..' && s !== '.'), { minLength: 1, maxLength: 3 }).map((a) => a.join('/'));

const envVar = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/);
const envValue = fc.oneof(
  envVar.map((v) => `\${${v}}`),
  fc.tuple(envVar, fc.stringMatching(/^[a-z0-9./]{0,6}$/)).map(([v, d]) => `\${${v}:-${d}}`),
  fc.stringMatching(/^[a-z0-9]{1,5}$/).map((s) => `$$${s}`),
  fc.constantFrom('plain', 'a: b', '- x', '# not a comment', '{{ x }}', '&a *b !!str', 'x\ny', 'yes', '1000:1000', '0x1F', '', ' '),
);
// Images outside the stateful catalog (its checks are not what these properties are about).
const image = fc.constantFrom('example/app:1', '${IMAGE:-example/web}:${TAG:-1.27}', 'registry.example.com:5000/team/app@sha256:0123456789abcdef', 'example/tool', 'ghcr.io/example/svc:2.0');

// ---- the services' side ----

function svcArb(name: string, index: number, others: string[], target: Target): fc.Arbitrary<SvcM> {
  const ownTargets = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 3 }).map((ts) => ts.map((t) => `/srv/own/${name.replace(/[^a-z0-9]/gi, '')}${index}/${t}`));
  return fc.record({
    name: fc.constant(name),
    image,
    imageStyle: fc.constantFrom('plain', 'double', 'single') as fc.Arbitrary<'plain' | 'double' | 'single'>,
    env: fc.option(fc.record({ form: fc.constantFrom('map', 'list', 'merge') as fc.Arbitrary<'map' | 'list' | 'merge'>, vars: fc.uniqueArray(fc.tuple(envVar, envValue), { selector: (p) => p[0], maxLength: 3 }) }), { nil: undefined }),
    command: fc.option(fc.array(fc.oneof(fc.constantFrom('serve', '--price', '$$5', '${PORT:-80}', 'a b', '#x'), fc.string({ maxLength: 4 })), { maxLength: 3 }), { nil: undefined }),
    own: ownTargets.chain((ts) =>
      fc.tuple(
        ...ts.map((t, i) =>
          fc.constantFrom<Y>(
            str(t, 'plain'),
            str(`./host${i}:${t}`),
            str(`extvol${i}:${t}:ro`),
            fromJs({ type: 'bind', source: `./h${i}`, target: t, read_only: true }),
            fromJs({ type: 'volume', source: `extvol${i}`, target: t }),
            str(`\${DATA_ROOT:-./d}/own${i}:${t}`),
          ),
        ),
      ),
    ),
    dependsOn: others.length ? fc.option(fc.record({ form: (target === 'swarm' ? fc.constant('list') : fc.constantFrom('list', 'map')) as fc.Arbitrary<'list' | 'map'>, on: fc.uniqueArray(fc.constantFrom(...others), { minLength: 1 }) }), { nil: undefined }) : fc.constant(undefined),
    mergeCommon: fc.boolean(),
    xField: fc.option(fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), { nil: undefined }),
    flow: fc.boolean(),
    comment: fc.option(fc.constantFrom('keep me', 'a: b', '- x', '{{x}}'), { nil: undefined }),
    // (The stack file format has no profiles: docker stack deploy refuses them, and so does the Swarm build.)
    misc: fc.subarray(['profiles', 'healthcheck', 'secrets', 'networks', 'ports', 'labels', 'tmpfs', 'user'].filter((k) => target !== 'swarm' || k !== 'profiles')),
  }) as fc.Arbitrary<SvcM>;
}

// ---- the block ----

export interface ModelOptions {
  target: Target;
  maxServices?: number;
  /** Features that trigger known bugs (off for the green properties). */
  crossServiceAnchors?: boolean;
  inheritedDeploy?: boolean;
}

const backendHost = fc.oneof(fc.ipV4(), fc.domain(), fc.constant('${NFS_HOST}'));
const options = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/), fc.oneof(fc.stringMatching(/^[A-Za-z0-9 ._/-]{0,8}$/), fc.integer({ min: 0, max: 1e6 }), fc.boolean()), { maxKeys: 3 });

const backendBody = (kind: 'shared' | 'plugin'): fc.Arbitrary<Record<string, unknown>> =>
  kind === 'plugin'
    ? fc.record({ type: fc.constant('plugin'), driver: fc.constantFrom('local-persist', 'rexray/ebs', '${VOLUME_DRIVER:-local}', 'vendor/driver:1.0'), options: fc.option(options, { nil: undefined }), level: fc.option(fc.constantFrom('container', 'host'), { nil: undefined }) }, { requiredKeys: ['type', 'driver'] })
    : fc.oneof(
        fc.record({ type: fc.constant('nfs'), address: backendHost, export: relPath.map((p) => `/exports/${p}`), version: fc.option(fc.constantFrom(3, 4, '4.1', 4.2, '3'), { nil: undefined }), options: fc.option(fc.array(fc.constantFrom('rw', 'hard', 'timeo=600', 'noatime', 'soft'), { minLength: 1, maxLength: 3 }), { nil: undefined }) }, { requiredKeys: ['type', 'address', 'export'] }),
        fc.record({ type: fc.constant('cifs'), address: backendHost, share: fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/), username: fc.option(fc.constantFrom('${CIFS_USER}', 'svc'), { nil: undefined }), password: fc.option(fc.constant('${CIFS_PASSWORD}'), { nil: undefined }), domain: fc.option(fc.constantFrom('CORP', '${CIFS_DOMAIN}'), { nil: undefined }), version: fc.option(fc.constantFrom('3.0', '2.1'), { nil: undefined }), uid: fc.option(fc.constantFrom(1000, '1000'), { nil: undefined }), gid: fc.option(fc.constantFrom(1000, '1000'), { nil: undefined }), options: fc.option(fc.array(fc.constantFrom('file_mode=0770', 'dir_mode=0770', 'nobrl'), { minLength: 1, maxLength: 2 }), { nil: undefined }) }, { requiredKeys: ['type', 'address', 'share'] }),
        fc.record({ type: fc.constant('hostpath'), path: fc.oneof(relPath.map((p) => `/mnt/${p}`), fc.constant('${SHARED_ROOT:-/mnt/gluster/app}')) }),
      );

function mountArb(pattern: Pattern): fc.Arbitrary<MountM> {
  return fc.record({
    form: fc.constantFrom('string', 'object') as fc.Arbitrary<'string' | 'object'>,
    target: blockTarget,
    name: pattern === 'bind' ? fc.constant(undefined) : fc.option(volName, { nil: undefined, freq: 3 }),
    read_only: fc.option(fc.boolean(), { nil: undefined }),
    source: pattern === 'bind' ? fc.option(fc.oneof(relPath.map((p) => `./${p}`), relPath, relPath.map((p) => `/srv/data/${p}`), relPath.map((p) => `\${DATA_ROOT}/${p}`)), { nil: undefined }) : fc.constant(undefined),
    path: pattern === 'shared' ? fc.option(fc.oneof(relPath, fc.constant('.')), { nil: undefined }) : fc.constant(undefined),
    options: pattern === 'plugin' ? fc.option(options, { nil: undefined }) : fc.constant(undefined),
  }).map((m) => {
    const hasExtra = m.name !== undefined || m.read_only !== undefined || m.source !== undefined || m.path !== undefined || m.options !== undefined;
    return Object.fromEntries(Object.entries({ ...m, form: hasExtra ? 'object' : m.form }).filter(([, v]) => v !== undefined)) as unknown as MountM;
  });
}

function blockSvcArb(pattern: Pattern, target: Target): fc.Arbitrary<BlockSvcM> {
  const needsMounts = pattern !== 'none';
  return fc.record({
    pattern: fc.constant(pattern),
    mounts: needsMounts ? fc.uniqueArray(mountArb(pattern), { minLength: 1, maxLength: 3, selector: (m) => m.target }) : fc.constant([]),
    owner: pattern === 'bind' ? fc.option(fc.tuple(fc.nat(65535), fc.nat(65535)).map(([u, g]) => `${u}:${g}`), { nil: undefined }) : fc.constant(undefined),
    image: pattern === 'data-container' || pattern === 'bind' ? fc.option(fc.constantFrom('busybox:latest', 'alpine:3.20', '${HELPER_IMAGE:-busybox}'), { nil: undefined }) : fc.constant(undefined),
    node: (pattern === 'volume' || pattern === 'bind') && target === 'swarm' ? (pattern === 'bind' ? fc.domain() : fc.option(fc.domain(), { nil: undefined })) : fc.constant(undefined),
    reason: pattern === 'none' ? fc.option(fc.constantFrom('rebuilt on start', 'a: b # c', ''), { nil: undefined }) : fc.constant(undefined),
  }).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as BlockSvcM);
}

/** The generated names a valid model must keep apart. */
export function generatedNames(m: Model): { volumes: string[]; services: string[]; binds: string[] } {
  const volumes: string[] = [];
  const services: string[] = [];
  const binds: string[] = [];
  for (const [svc, b] of m.block.services) {
    for (const mt of b.mounts) {
      const name = mt.name ?? `${svc}-${mt.target.split('/').pop()}`;
      if (b.pattern === 'bind') binds.push(name);
      else volumes.push(name);
    }
    if (b.pattern === 'data-container') services.push(`${svc}-data`);
    if (b.pattern === 'bind' && b.owner) services.push(`${svc}-init`);
  }
  return { volumes, services, binds };
}

export function namesAreUnique(m: Model): boolean {
  const g = generatedNames(m);
  const all = [...m.services.map((s) => s.name), ...g.services];
  const vols = [...m.extVolumes, ...g.volumes];
  return new Set(all).size === all.length && new Set(vols).size === vols.length && new Set(g.binds).size === g.binds.length;
}

export function modelArb(opts: ModelOptions): fc.Arbitrary<Model> {
  const patterns: Pattern[] = opts.target === 'swarm' ? ['none', 'volume', 'bind', 'shared', 'plugin'] : ['none', 'volume', 'data-container', 'bind', 'shared', 'plugin'];
  return fc
    .uniqueArray(serviceName, { minLength: 1, maxLength: opts.maxServices ?? 5 })
    .chain((names) =>
      fc.record({
        blockKey: fc.constantFrom('x-persistence', 'persistence') as fc.Arbitrary<'x-persistence' | 'persistence'>,
        services: fc.tuple(...names.map((n, i) => svcArb(n, i, names.slice(0, i), opts.target))),
        extVolumes: fc.constant<string[]>(['extvol0', 'extvol1', 'extvol2']),
        common: fc.option(fc.record({ withVolume: fc.boolean(), withDeploy: opts.inheritedDeploy ? fc.constant(true) : fc.constant(false) }), { nil: undefined }),
        persisted: fc.subarray(names, { minLength: 1 }),
        pats: fc.array(fc.constantFrom(...patterns), { minLength: names.length, maxLength: names.length }),
        defaultPattern: fc.option(fc.constantFrom(...patterns), { nil: undefined }),
        safePaths: fc.option(fc.boolean(), { nil: undefined }),
      }),
    )
    .chain((r) => {
      const chosen = r.persisted.map((n, i) => [n, r.pats[i]!] as const);
      const backendsFor = chosen.filter(([, p]) => p === 'shared' || p === 'plugin');
      return fc
        .tuple(
          fc.tuple(...chosen.map(([, p]) => blockSvcArb(p, opts.target))),
          fc.tuple(...backendsFor.map(([, p]) => backendBody(p === 'plugin' ? 'plugin' : 'shared'))),
          fc.uniqueArray(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,8}$/), { minLength: backendsFor.length, maxLength: backendsFor.length }),
          fc.array(fc.boolean(), { minLength: chosen.length, maxLength: chosen.length }),
        )
        .map(([bsvcs, bodies, bnames, omit]): Model => {
          const backends: [string, Record<string, unknown>][] = [];
          const services = chosen.map(([name], i): [string, BlockSvcM] => {
            const b = { ...bsvcs[i]! };
            const bi = backendsFor.findIndex(([n]) => n === name);
            if (bi >= 0) {
              backends.push([bnames[bi]!, bodies[bi]!]);
              b.backend = bnames[bi]!;
            }
            if (r.defaultPattern === b.pattern && omit[i]) b.omitPattern = true;
            return [name, b];
          });
          const model: Model = {
            blockKey: r.blockKey,
            services: r.services,
            extVolumes: r.extVolumes,
            ...(r.common ? { common: r.common } : {}),
            block: { ...(r.defaultPattern ? { default: r.defaultPattern } : {}), ...(r.safePaths !== undefined ? { safePaths: r.safePaths } : {}), backends, services },
          };
          if (opts.crossServiceAnchors && model.services.length >= 2) {
            // Service 0 is persisted; another service merges its mapping or aliases its volumes.
            const [first, second] = [model.services[0]!, model.services[1]!];
            if (!model.block.services.some(([n]) => n === first.name)) model.block.services.push([first.name, { pattern: 'volume', mounts: [{ form: 'string', target: '/var/lib/first' }] }]);
            first.anchor = 'svc0';
            second.mergeService = 'svc0';
            second.mergeCommon = false;
          }
          return model;
        });
    })
    .filter(namesAreUnique);
}

// ---- rendering ----

export function blockJs(m: Model): Record<string, unknown> {
  const b = m.block;
  return {
    ...(b.default ? { default: b.default } : {}),
    ...(b.require ? { require: b.require } : {}),
    ...(b.safePaths !== undefined ? { 'safe-paths': b.safePaths } : {}),
    ...(b.backends.length ? { backends: Object.fromEntries(b.backends) } : {}),
    services: Object.fromEntries(
      b.services.map(([n, s]) => [
        n,
        {
          ...(s.omitPattern ? {} : { pattern: s.pattern }),
          ...(s.mounts.length ? { mounts: s.mounts.map((mt) => (mt.form === 'string' ? mt.target : Object.fromEntries(Object.entries(mt).filter(([k]) => k !== 'form')))) } : {}),
          ...(s.owner !== undefined ? { owner: s.owner } : {}),
          ...(s.backend !== undefined ? { backend: s.backend } : {}),
          ...(s.image !== undefined ? { image: s.image } : {}),
          ...(s.node !== undefined ? { node: s.node } : {}),
          ...(s.reason !== undefined ? { reason: s.reason } : {}),
        },
      ]),
    ),
  };
}

function renderService(s: SvcM): Y {
  const pairs: [string, Y][] = [];
  if (s.mergeCommon) pairs.push([MERGE, alias('common')]);
  if (s.mergeService) pairs.push([MERGE, alias(s.mergeService)]);
  pairs.push(['image', str(s.image, s.imageStyle)]);
  if (s.env) {
    const vars = s.env.vars;
    if (s.env.form === 'list') pairs.push(['environment', fromJs(vars.map(([k, v]) => `${k}=${v}`))]);
    else if (s.env.form === 'merge') pairs.push(['environment', map([[MERGE, alias('env')], ...vars.map(([k, v]): [string, Y] => [k, str(v)])])]);
    else pairs.push(['environment', fromJs(Object.fromEntries(vars))]);
  }
  if (s.command) pairs.push(['command', seq(s.command.map((c) => str(c)), { flow: true })]);
  if (s.volumesAlias) pairs.push(['volumes', alias(s.volumesAlias)]);
  else if (s.own.length) pairs.push(['volumes', seq(s.own, s.volumesAnchor ? { anchor: s.volumesAnchor } : {})]);
  if (s.dependsOn) pairs.push(['depends_on', s.dependsOn.form === 'list' ? fromJs(s.dependsOn.on) : fromJs(Object.fromEntries(s.dependsOn.on.map((d) => [d, { condition: 'service_started' }])))]);
  if (s.deploy) pairs.push(['deploy', fromJs(s.deploy)]);
  if (s.xField !== undefined) pairs.push(['x-meta', fromJs(s.xField)]);
  const MISC: Record<string, unknown> = {
    profiles: ['web', 'debug'],
    healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: '10s', retries: 3 },
    secrets: ['app_key'],
    networks: ['front'],
    ports: ['8080:80', '127.0.0.1:9000:9000/udp'],
    labels: ['com.example.a=1', 'com.example.b=${B:-x}'],
    tmpfs: ['/run'],
    user: '1000:1000',
  };
  for (const k of s.misc ?? []) pairs.push([k, fromJs(MISC[k])]);
  return map(pairs, { flow: s.flow && !s.anchor && !s.comment, ...(s.anchor ? { anchor: s.anchor } : {}), ...(s.comment ? { comment: s.comment } : {}) });
}

/** Replace the scalar at a dotted path (keys joined by \u0000) by raw text. */
function splice(y: Y, path: string[], text: string): Y {
  if (path.length === 0) return raw(text);
  if (y.k === 'map') return { ...y, pairs: y.pairs.map(([k, v]) => [k, k === path[0] ? splice(v, path.slice(1), text) : v]) };
  if (y.k === 'seq') return { ...y, items: y.items.map((v, i) => (String(i) === path[0] ? splice(v, path.slice(1), text) : v)) };
  return y;
}

export function renderY(m: Model): Y {
  const top: [string, Y][] = [];
  if (m.common) {
    const c: [string, Y][] = [['restart', str('unless-stopped', 'plain')], ['environment', map([['TZ', str('${TZ:-UTC}')], ['LITERAL', str('$$HOME')]], { anchor: 'env' })], ['labels', fromJs({ 'com.example.team': 'platform' })]];
    if (m.common.withVolume) c.push(['volumes', fromJs(['/srv/own/common'])]);
    if (m.common.withDeploy) c.push(['deploy', fromJs({ replicas: 2, resources: { limits: { cpus: '0.5' } }, placement: { constraints: ['node.role == worker'] } })]);
    top.push(['x-common', map(c, { anchor: 'common' })]);
  } else if (m.services.some((s) => s.mergeCommon || s.env?.form === 'merge')) {
    top.push(['x-common', map([['restart', str('always')], ['environment', map([['TZ', str('UTC')]], { anchor: 'env' })]], { anchor: 'common' })]);
  }
  top.push(['services', map(m.services.map((s) => [s.name, renderService(s)]))]);
  const vols = map(m.extVolumes.map((v, i) => [v, i === 0 ? map([]) : fromJs(i === 1 ? { name: `\${PROJECT:-p}_${v}` } : { external: true })]));
  if (m.volumesAlias) {
    top.unshift(['x-volumes', { ...(vols as Extract<Y, { k: 'map' }>), anchor: 'vols' }]);
    top.push(['volumes', alias('vols')]);
  } else top.push(['volumes', vols]);
  top.push(['secrets', fromJs({ app_key: { file: './secrets/app.key' } })]);
  top.push(['networks', fromJs({ front: {} })]);
  top.push(['x-other', fromJs({ note: 'x- fields pass through', list: [1, 'two', null], dollar: '$${NOT_A_VAR}' })]);
  top.push([m.blockKey, fromJs(blockJs(m))]);
  let doc = map(top);
  for (const r of m.raws ?? []) doc = splice(doc, r.where.split('\u0000'), r.text);
  return doc;
}

export function render(m: Model): string {
  return toText(renderY(m));
}

export { num };
