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

export function hostileCases() {
  return [slashRun(), didYouMean(), volumeNames()];
}
