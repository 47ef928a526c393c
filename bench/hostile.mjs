// Hostile inputs (issue 13 point 6): one file each, sized so that a pass
// that is quadratic or worse takes tens of seconds, while a linear one takes
// well under a second. Used by `npm run bench` (BENCH_ONLY=hostile, or the
// hostile group after the sizes) and by test/safety/hostile.test.ts, which
// runs each under a hard timeout.
//
// Each case: { id, label, files: { name: text }, args: [...], exit }, where
// args are CLI arguments relative to the directory the files are written to,
// and exit the status the CLI must end with (0, or 1 for a refused input).

const KiB = 1024;

/** A service's own volume targets with a long run of `/` inside (trimmed by /\/+$/ before: 128 KiB took 32 s). */
function slashRun(size = 128 * KiB) {
  const run = '/'.repeat(size);
  const text = [
    'services:',
    '  app:',
    '    image: "${UNSET_REGISTRY_CP_BENCH}/' + run + 'example/app' + ':'.repeat(size) + '1"',
    '    volumes:',
    `      - "cache:/o${run}p"`,
    '      - type: volume',
    '        source: logs',
    `        target: "/q${run}r"`,
    `      - "./host${run}x:/b${run}y"`,
    'volumes: { cache: {}, logs: {} }',
    'x-persistence:',
    '  services:',
    '    app:',
    '      pattern: volume',
    '      mounts: [/var/lib/app]',
    '',
  ].join('\n');
  return { id: 'slash-run', label: `runs of / and : in targets, sources and the image (${size / KiB} KiB each)`, files: { 'in.persist.yaml': text }, args: ['build', '-f', 'in.persist.yaml', '-o', 'out.yml'], exit: 0 };
}

/** Thousands of unknown service names, each near thousands of defined ones (did-you-mean was n x m: 230 KB took 56 s). */
function didYouMean(n = 2500) {
  let text = 'services:\n';
  for (let i = 0; i < n; i++) text += `  service-number-${i}: { image: example/app:1 }\n`;
  text += 'x-persistence:\n  services:\n';
  for (let i = 0; i < n; i++) text += `    servce-number-${i}: { pattern: volume, mounts: [/d] }\n`;
  return { id: 'did-you-mean', label: `${n} unknown service names among ${n} defined ones`, files: { 'in.persist.yaml': text }, args: ['validate', '--format', 'json', '-f', 'in.persist.yaml'], exit: 1 };
}

/** Mount names: declared at the top level, and one volume shared by every service (one scan of all services per name: 2,000 took 21 s). */
function volumeNames(n = 2000) {
  let text = 'services:\n';
  for (let i = 0; i < n; i++) text += `  s${i}:\n    image: example/app:1\n    volumes: ["own${i}:/own", "shared:/shared"]\n`;
  text += 'volumes:\n  shared: {}\n';
  for (let i = 0; i < n; i++) text += `  own${i}: {}\n  named${i}: {}\n`;
  text += 'x-persistence:\n  services:\n';
  for (let i = 0; i < n; i++) text += `    s${i}: { pattern: volume, mounts: [{ target: /d, name: named${i} }, { target: /e, name: shared }] }\n`;
  return { id: 'volume-names', label: `${n} services, each mount name declared at the top level, one volume shared by all`, files: { 'in.persist.yaml': text }, args: ['explain', '-f', 'in.persist.yaml'], exit: 0 };
}

/** diff of two files where every service takes volumes_from of every other (followed per path, 4 levels: n^4; 40 services took 21 s). */
function diffVolumesFrom(n = 90) {
  const list = Array.from({ length: n }, (_, i) => `s${i}`).join(', ');
  let before = 'services:\n';
  let after = 'services:\n';
  for (let i = 0; i < n; i++) {
    before += `  s${i}:\n    image: example/app:1\n    volumes: ["v${i}:/d${i}"]\n    volumes_from: [${list}]\n`;
    after += `  s${i}:\n    image: example/app:1\n    volumes: ["w${i}:/d${i}"]\n`;
  }
  before += 'volumes:\n';
  after += 'volumes:\n';
  for (let i = 0; i < n; i++) {
    before += `  v${i}: {}\n`;
    after += `  w${i}: {}\n`;
  }
  return { id: 'diff-volumes-from', label: `diff, ${n} services each with volumes_from of all ${n}, every volume renamed`, files: { 'old.yml': before, 'new.yml': after }, args: ['diff', '--format', 'json', 'old.yml', 'new.yml'], exit: 1 };
}

/** build --check against a stale output that differs on every line (the line-matrix diff took 8 s at 4,000 lines). */
function staleCheck(n = 2000) {
  let text = 'services:\n';
  for (let i = 0; i < n; i++) text += `  s${i}:\n    image: example/app:1\n`;
  text += 'x-persistence:\n  services:\n    s0: { pattern: volume, mounts: [/d] }\n';
  let stale = '';
  for (let i = 0; i < 2 * n; i++) stale += `line ${i} of something else ${(i * 7919) % 10007}\n`;
  return { id: 'stale-check', label: `build --check, ${2 * n} lines of output, all different`, files: { 'in.persist.yaml': text, 'out.yml': stale }, args: ['build', '--check', '-f', 'in.persist.yaml', '-o', 'out.yml'], exit: 1 };
}

/** A user pattern whose parameter regex backtracks exponentially on the service's value (ReDoS: never ended). */
function userRegex(pattern = '^(a+)+$', value = `${'a'.repeat(40)}b`) {
  const template = [
    '---',
    'level: container',
    'summary: a local volume with a tier',
    'parameters:',
    '  type: object',
    '  properties:',
    `    tier: { type: string, pattern: ${JSON.stringify(pattern)} }`,
    '---',
    'top_volumes:',
    '{{#each volumes}}',
    '  {{q name}}: {}',
    '{{/each}}',
    '',
  ].join('\n');
  const text = [
    'services:',
    '  app:',
    '    image: example/app:1',
    'x-persistence:',
    '  patterns: ./patterns',
    '  services:',
    '    app:',
    '      pattern: tiered',
    `      params: { tier: ${JSON.stringify(value)} }`,
    '      mounts: [/var/lib/app]',
    '',
  ].join('\n');
  return {
    id: 'user-regex',
    label: `a user pattern's parameter regex ${pattern} on ${value.length} characters`,
    files: { 'in.persist.yaml': text, 'patterns/tiered.yaml.hbs': template },
    args: ['build', '-f', 'in.persist.yaml', '-o', 'out.yml'],
    exit: 1,
    stderr: /tiered\.yaml\.hbs:7:\d+: error PATTERN_DEFINITION .*regex/,
  };
}

export function hostileCases() {
  return [slashRun(), didYouMean(), volumeNames(), diffVolumesFrom(), staleCheck(), userRegex()];
}
