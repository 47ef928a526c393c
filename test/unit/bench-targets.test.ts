// The bench's target rules (bench/targets.mjs): the same function judges the CLI under test and
// the --baseline-cli of the same runs, and a target the baseline meets that the CLI misses is named.
import { describe, expect, it } from 'vitest';
import { lostTargets, sizeTargets } from '../../bench/targets.mjs';

const ms = (medianMs: number, peakRssMiB: number | null = null) => ({ medianMs, peakRssMiB });
const figures = (build20: number, extra: { node?: number; compose?: number; b1k?: number; b10k?: number; rss10k?: number } = {}) => ({
  sizes: [20, 1000, 10000],
  nodeE0: ms(extra.node ?? 50),
  compose: { tool: 'docker-compose', version: '1.29.2', medianMs: extra.compose ?? 400 },
  build: { 20: ms(build20), 1000: ms(extra.b1k ?? 400), 10000: ms(extra.b10k ?? 1800, extra.rss10k ?? 320) },
  validate: { 20: ms(build20 * 0.9), 1000: ms(200), 10000: ms(700) },
});
const result = (targets: { name: string; result: string }[], prefix: string) => targets.find((t) => t.name.startsWith(prefix))?.result;

describe('bench targets', () => {
  it('judges the docker-compose ratio at its line: 4.00 x passes, 3.99 x fails', () => {
    expect(result(sizeTargets(figures(100, { compose: 400 })).targets, '20 services: docker-compose')).toBe('PASS');
    expect(result(sizeTargets(figures(100, { compose: 399 })).targets, '20 services: docker-compose')).toBe('FAIL');
  });

  it('judges build / node -e 0 at 2.0 x and names the stretch goal', () => {
    const at = sizeTargets(figures(100, { node: 50 })).targets.find((t) => t.name === '20 services: build / node -e 0');
    expect(at).toMatchObject({ result: 'PASS', note: 'stretch FAIL', value: 2 });
    expect(result(sizeTargets(figures(101, { node: 50 })).targets, '20 services: build / node -e 0')).toBe('FAIL');
  });

  it('judges wall time, peak RSS, linearity and validate / build of the largest input', () => {
    const t = sizeTargets(figures(100, { b1k: 250, b10k: 2600, rss10k: 401 })).targets;
    expect(result(t, '10,000 services: build wall time')).toBe('FAIL');
    expect(result(t, '10,000 services: build peak RSS')).toBe('FAIL');
    expect(result(t, 'build 10,000 / 1,000')).toBe('PASS');
    expect(result(sizeTargets(figures(100, { b1k: 200, b10k: 2500 })).targets, 'build 10,000 / 1,000')).toBe('FAIL');
  });

  it('gives n/a, not PASS, for a size that was not run', () => {
    const f = { ...figures(100), sizes: [20], build: { 20: ms(100) }, validate: { 20: ms(90) } };
    const t = sizeTargets(f).targets;
    expect(result(t, '10,000 services: build wall time')).toBe('n/a');
    expect(result(t, '20 services: docker-compose')).toBe('PASS');
  });

  it('names a target the baseline met and this build misses, and no other', () => {
    const before = sizeTargets(figures(95, { compose: 400, node: 60 })).targets; // 4.21 x: PASS
    const now = sizeTargets(figures(105, { compose: 400, node: 60 })).targets; // 3.81 x: FAIL
    expect(lostTargets(now, before)).toEqual(['20 services: docker-compose config -q / build']);
    expect(lostTargets(before, now)).toEqual([]);
    // Missed by both: not a regression.
    const bothSlow = sizeTargets(figures(110, { compose: 400, node: 60 })).targets;
    expect(lostTargets(bothSlow, now)).toEqual([]);
  });
});
