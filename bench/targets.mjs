// The README's Performance targets for the sizes group, as one pure function of
// the measured medians, so that the same rules judge the CLI under test and a
// --baseline-cli timed in the same runs (issue 14 point 6: a change must not
// lose a target the build before it met). test/unit/bench-targets.test.ts.

const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const div = (a, b) => (a === null || b === null || !b ? null : round(a / b));
const fmtX = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)} ×`);
const fmtMs = (ms) => (ms === null || ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(1)} ms`);
const fmtMiB = (m) => (m === null || m === undefined ? 'n/a' : `${m.toFixed(1)} MiB`);
const fmtInt = (n) => n.toLocaleString('en-US');
const why = (...parts) => parts.filter(Boolean).join('; ');

/**
 * @typedef {{ medianMs?: number, peakRssMiB?: number | null, error?: string }} Measured
 * @typedef {{
 *   sizes: number[],
 *   nodeE0: Measured | null,
 *   compose: { tool?: string, version?: string, medianMs?: number, skipped?: string, error?: string } | null,
 *   build: Record<number, Measured | undefined>,
 *   validate: Record<number, Measured | undefined>,
 * }} Figures
 * @typedef {{ name: string, value: number | null, shown: string, target: string, result: 'PASS' | 'FAIL' | 'n/a', note: string }} Target
 */

/** The sizes group's ratios and targets from its medians. @param {Figures} f */
export function sizeTargets(f) {
  const med = (s) => (s && s.medianMs !== undefined ? s.medianMs : null);
  const b20 = med(f.build[20]);
  const b1k = med(f.build[1000]);
  const b10k = med(f.build[10000]);
  const node0 = med(f.nodeE0);
  const comp = f.compose && !f.compose.skipped ? med(f.compose) : null;
  const ratios = {
    build20OverNode: div(b20, node0),
    composeOverBuild20: div(comp, b20),
    build10kOver1k: div(b10k, b1k),
    build10kOver1kNetOfNodeStartup: node0 !== null && b10k !== null && b1k !== null && b1k > node0 ? round((b10k - node0) / (b1k - node0)) : null,
  };
  for (const n of f.sizes) ratios[`validateOverBuild${n}`] = div(med(f.validate[n]), med(f.build[n]));

  /** @type {Target[]} */
  const targets = [];
  const T = (name, value, shown, target, pass, note) => targets.push({ name, value, shown, target, result: value === null ? 'n/a' : pass ? 'PASS' : 'FAIL', note: note || '' });
  const r1 = ratios.build20OverNode;
  T('20 services: build / node -e 0', r1, fmtX(r1), '≤ 2.0 × (stretch ≤ 1.5 ×)', r1 !== null && r1 <= 2.0, r1 === null ? why(!f.build[20] && 'size 20 not run', f.build[20]?.error) : `stretch ${r1 <= 1.5 ? 'PASS' : 'FAIL'}`);
  const r2 = ratios.composeOverBuild20;
  T(
    `20 services: ${f.compose && f.compose.tool ? `${f.compose.tool} config -q` : 'docker-compose config -q'} / build`,
    r2,
    r2 === null ? 'n/a' : `build ${r2.toFixed(2)} × faster`,
    'build ≥ 4 × faster',
    r2 !== null && r2 >= 4,
    r2 === null ? (f.compose?.skipped ? `skipped: ${f.compose.skipped}` : f.compose?.error || f.build[20]?.error || 'n/a') : `${f.compose.tool} ${f.compose.version}`,
  );
  T('10,000 services: build wall time', b10k, fmtMs(b10k), '≤ 2.5 s', b10k !== null && b10k <= 2500, b10k === null ? (f.build[10000] ? f.build[10000].error : 'size 10000 not run') : '');
  const rss10k = f.build[10000] && f.build[10000].peakRssMiB !== undefined && f.build[10000].peakRssMiB !== null ? f.build[10000].peakRssMiB : null;
  T('10,000 services: build peak RSS', rss10k, fmtMiB(rss10k), '≤ 400 MiB', rss10k !== null && rss10k <= 400, rss10k === null ? (f.build[10000] ? f.build[10000].error || 'no RSS figure' : 'size 10000 not run') : '');
  const r3 = ratios.build10kOver1k;
  T('build 10,000 / 1,000 services (linearity)', r3, fmtX(r3), '≤ 12 ×', r3 !== null && r3 <= 12, r3 === null ? 'needs sizes 1000 and 10000' : ratios.build10kOver1kNetOfNodeStartup !== null ? `${ratios.build10kOver1kNetOfNodeStartup.toFixed(2)} × net of node start-up` : '');
  for (const n of f.sizes) {
    const r = ratios[`validateOverBuild${n}`];
    T(`${fmtInt(n)} services: validate / build`, r, fmtX(r), '≤ 1.05 × (no slower)', r !== null && r <= 1.05, r === null ? why(f.build[n]?.error, f.validate[n]?.error) : '');
  }
  return { ratios, targets };
}

/** The targets the baseline met and this build does not (a regression), by name. @param {Target[]} now @param {Target[]} before */
export function lostTargets(now, before) {
  return now.filter((t) => t.result !== 'PASS' && before.some((b) => b.name === t.name && b.result === 'PASS')).map((t) => t.name);
}
