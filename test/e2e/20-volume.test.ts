// volume: named volumes keep data across an upgrade; a new host starts empty (level container).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, hostLoss, makeWorkDir, mustDocker, plan, Project, readMarkers,
  report, sample, upgradeCheck, type MarkerWrite, type PlannedService,
} from './lib.js';
import { destroyProject, expectRecreatedOnNewImage } from './checks.js';

describe.skipIf(!inject('engine'))('volume', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];

  beforeAll(() => {
    const built = buildPersist(sample('volume'), makeWorkDir('volume'));
    p = new Project(`${inject('runPrefix')}vol`, built);
    planned = plan(built.input).filter((s) => s.pattern === 'volume' && s.targets.length > 0);
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('an upgrade keeps the data', () => {
    expect(planned.length).toBeGreaterThan(0);
    const r = upgradeCheck(p, planned);
    written = r.written;
    expectRecreatedOnNewImage(r);
    // the data sits in the generated named volumes, created by Compose for this project
    const vols = mustDocker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${p.name}`]);
    for (const name of Object.keys(p.built.output.volumes ?? {})) {
      expect(vols.split('\n')).toContain(`${p.name}_${name}`);
    }
    report(`volume: upgrade keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('a host loss loses the data (level container)', () => {
    expect(written.length).toBeGreaterThan(0);
    hostLoss(p);
    const m = readMarkers(p, written);
    const lost = m.every((x) => !x.kept);
    report(`volume: host loss loses data (level container, as documented): ${lost ? 'PASS' : 'FAIL'} [${describeMarkers(m)}]`);
    expect(lost).toBe(true);
  });
});
